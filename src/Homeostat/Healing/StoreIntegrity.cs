namespace Homeostat.Healing;

/// <summary>
/// The store's file is damaged (or is not a store at all): Homeostat refuses to use it rather than carry on over
/// missing or garbled records. At start-up it is a refusal for the operator, printed as one line; in a running
/// service it means the store is unhealthy and every later read or write fails with it until a restart.
/// </summary>
public sealed class StoreDamagedException : Exception
{
    public StoreDamagedException(string store, string problem, Exception? innerException = null)
        : base(Describe(store, problem), innerException)
    {
        Store = store;
        Problem = problem;
    }

    /// <summary>The store's file (or "(in memory)").</summary>
    public string Store { get; }

    /// <summary>What is wrong, without the recovery steps.</summary>
    public string Problem { get; }

    /// <summary>What an operator does about a damaged store; the same words in every message and in docs/operations.md.</summary>
    public static string RecoverySteps(string store) =>
        $"Homeostat will not use it. To recover, stop homeostat and keep the damaged file, then either restore the latest backup (made with 'homeostat store backup') in its place, "
        + $"or run 'homeostat store salvage --from {store} --to NEW.db' and put NEW.db in its place (see docs/operations.md)";

    private static string Describe(string store, string problem) => $"the store {store} is damaged: {problem}. {RecoverySteps(store)}";
}

/// <summary>What an integrity check found: nothing (healthy), or each problem named (a page, a record, the file).</summary>
public sealed record StoreIntegrityReport(string Store, IReadOnlyList<string> Problems, long RecordsChecked)
{
    public bool IsHealthy => Problems.Count == 0;
}

/// <summary>
/// Checks the store's file itself, below the audit chain: that it is a database, that its pages are sound and that its
/// records decode. Never changes the store.
/// </summary>
public interface IStoreIntegrity
{
    /// <summary>The start-up check, bounded in what it reads and reports: the file header, a quick structural check, the schema and a sample of the newest records.</summary>
    StoreIntegrityReport QuickCheck();

    /// <summary>The full check for <c>audit --verify</c>: every page and index, and every record decoded.</summary>
    Task<StoreIntegrityReport> FullCheckAsync(CancellationToken cancellationToken);
}

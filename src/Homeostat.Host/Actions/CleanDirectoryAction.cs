using System.Globalization;
using System.IO.Enumeration;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Host.Actions;

public sealed class CleanDirectoryOptions
{
    public const string Section = "Actions:CleanDirectory";

    /// <summary>The only directories (and their subdirectories) this action may delete in. Empty means it refuses everything.</summary>
    public List<string> AllowedRoots { get; set; } = [];
}

/// <summary>
/// Deletes files older than <c>older_than</c> that match <c>pattern</c>, keeping the <c>keep_newest</c> newest matches and
/// deleting at most <c>max_files</c> per run (the oldest first). Works only inside allowlisted roots; symbolic links are
/// never followed, entered or deleted, and a directory swapped for a link after planning is refused. Run twice, the
/// second run reports <see cref="ActionStatus.NoChange"/>. It acts only on a directory over its budget or on a
/// filesystem at least <c>max_used_percent</c> full (see <see cref="DiskTargets"/>).
/// </summary>
public sealed class CleanDirectoryAction(IOptionsMonitor<CleanDirectoryOptions> options, TimeProvider timeProvider, IFilesystemUsage filesystems) : IRemediationAction
{
    // "mountpoint" is not here: a mountpoint names a filesystem, and the catalog's targets map says which directories on it.
    private static readonly string[] PathLabels = ["path", "directory"];

    private readonly DiskTargets _targets = new(filesystems);

    public ActionDescriptor Descriptor => HostActionDescriptors.CleanDirectory;

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryPlan(request, cancellationToken, out var plans, out var notRun))
        {
            return Task.FromResult(notRun.NotRunPreview!);
        }

        var changes = plans.SelectMany(p => p.Deletions).Select(d => d.Describe()).ToList();
        var summary = changes.Count == 0
            ? string.Join("; ", plans.Select(p => p.NothingToDo()))
            : $"would {string.Join("; ", plans.Where(p => p.Deletions.Count > 0).Select(p => p.Summary()))}";
        return Task.FromResult(new ActionPreview(true, summary, changes) { Premise = notRun.Premise });
    }

    public Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        // The premise is checked again here, just before anything is deleted: the preview's view may be stale.
        if (!TryPlan(request, cancellationToken, out var plans, out var selection))
        {
            return Task.FromResult(selection.NotRunOutcome!);
        }

        var premise = selection.Premise;
        var planned = plans.Sum(p => p.Deletions.Count);
        if (planned == 0)
        {
            return Task.FromResult(new ActionOutcome(ActionStatus.NoChange, string.Join("; ", plans.Select(p => p.NothingToDo())), []) { Premise = premise });
        }

        // Deletions already done are reported even when a later one fails or the time limit stops the run.
        var done = new List<string>();
        var skipped = new List<string>();
        long freed = 0;
        foreach (var plan in plans)
        {
            foreach (var deletion in plan.Deletions)
            {
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (deletion.Apply(plan.Cutoff) is { } why)
                    {
                        skipped.Add($"{deletion.File.FullName}: {why}");
                    }
                    else
                    {
                        done.Add(deletion.Describe());
                        freed += deletion.Size;
                    }
                }
                catch (OperationCanceledException)
                {
                    return Task.FromResult(new ActionOutcome(
                        ActionStatus.Failed, $"stopped by the time limit after deleting {done.Count} of {planned} file(s) in {plan.Directory}", done) { Premise = premise });
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    return Task.FromResult(new ActionOutcome(
                        ActionStatus.Failed, $"stopped after deleting {done.Count} of {planned} file(s) in {plan.Directory}: {exception.Message}", done) { Premise = premise });
                }
            }
        }

        var first = plans[0];
        var summary = $"deleted {done.Count} file(s) ({new ByteSize(freed)}) older than {first.OlderThan} matching '{first.Pattern}' in {string.Join(", ", plans.Select(p => p.Directory))}";
        if (skipped.Count > 0)
        {
            summary += $"; skipped {skipped.Count}: {string.Join("; ", skipped)}";
        }

        if (plans.Sum(p => p.Deferred) is var deferred and > 0)
        {
            summary += $"; {deferred} more left for a later run (max_files {first.MaxFiles})";
        }

        return Task.FromResult(new ActionOutcome(done.Count == 0 ? ActionStatus.NoChange : ActionStatus.Succeeded, summary, done) { Premise = premise });
    }

    private bool TryPlan(ActionRequest request, CancellationToken cancellationToken, out List<Plan> plans, out DiskSelection selection)
    {
        plans = [];
        var parameters = request.Parameters;
        if (parameters.Duration("older_than") is not { } olderThan)
        {
            selection = new DiskSelection([], "refused: the catalog sets no older_than, so no file is old enough to delete", null, null, []);
            return false;
        }

        selection = _targets.Select(request, PathLabels, options.CurrentValue.AllowedRoots, cancellationToken);
        if (selection.Directories.Count == 0)
        {
            return false;
        }

        foreach (var directory in selection.Directories)
        {
            var plan = new Plan(
                directory,
                parameters.String("pattern") ?? "*",
                olderThan,
                (int)(parameters.Integer("keep_newest") ?? 0),
                (int)(parameters.Integer("max_files") ?? 1000),
                parameters.Boolean("recursive") ?? false,
                timeProvider.GetUtcNow().UtcDateTime - olderThan.Value);
            plan.Build();
            plans.Add(plan);
        }

        return true;
    }

    private static string AuditTime(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Deletion(FileInfo File, string RealDirectory, long Size, DateTime Written)
    {
        public string Describe() => $"delete {File.FullName} ({new ByteSize(Size)}, last written {AuditTime(Written)})";

        /// <summary>Deletes the file, or says why it was left; throws when its directory is no longer the one planned.</summary>
        public string? Apply(DateTime cutoff)
        {
            var current = new FileInfo(File.FullName);
            if (SafePaths.IsLink(current))
            {
                return "it became a symbolic link; not deleted";
            }

            if (!current.Exists)
            {
                return "already gone";
            }

            if (current.LastWriteTimeUtc > cutoff)
            {
                return "written to since the plan was made";
            }

            // unlink(2) never follows a link in the last component; this check catches a directory on the way that was
            // swapped for a link after planning, which would make the same path name a file elsewhere.
            if (!string.Equals(SafePaths.RealPath(current.DirectoryName!), RealDirectory, StringComparison.Ordinal))
            {
                throw new IOException($"{current.DirectoryName} no longer resolves to {RealDirectory} (a directory was replaced by a link); refused");
            }

            current.Delete();
            return null;
        }
    }

    private sealed class Plan(string directory, string pattern, Duration olderThan, int keepNewest, int maxFiles, bool recursive, DateTime cutoff)
    {
        public string Directory { get; } = directory;

        public string Pattern { get; } = pattern;

        public Duration OlderThan { get; } = olderThan;

        public int MaxFiles { get; } = maxFiles;

        public DateTime Cutoff { get; } = cutoff;

        public List<Deletion> Deletions { get; } = [];

        public int Deferred { get; private set; }

        public int Kept { get; private set; }

        public void Build()
        {
            var enumeration = new EnumerationOptions
            {
                RecurseSubdirectories = recursive,
                AttributesToSkip = FileAttributes.ReparsePoint,
                IgnoreInaccessible = true,
                MatchType = MatchType.Simple,
            };
            var matches = new DirectoryInfo(Directory).EnumerateFiles("*", enumeration)
                .Where(f => !SafePaths.IsLink(f) && FileSystemName.MatchesSimpleExpression(Pattern, f.Name, ignoreCase: false))
                .Select(f => (File: f, Written: f.LastWriteTimeUtc))
                .OrderByDescending(f => f.Written)
                .ThenByDescending(f => f.File.FullName, StringComparer.Ordinal)
                .ToList();

            var old = matches.Skip(keepNewest).Where(f => f.Written <= Cutoff).ToList();
            Kept = matches.Take(keepNewest).Count(f => f.Written <= Cutoff);
            old.Reverse();
            foreach (var (file, written) in old.Take(MaxFiles))
            {
                // Planned from the real root down, so the real directory of each file is its path's directory.
                Deletions.Add(new Deletion(file, file.DirectoryName!, file.Length, written));
            }

            Deferred = old.Count - Deletions.Count;
        }

        public string Summary()
        {
            var text = $"delete {Deletions.Count} file(s) ({new ByteSize(Deletions.Sum(d => d.Size))}) older than {OlderThan} matching '{Pattern}' in {Directory}";
            return Deferred > 0 ? text + $"; {Deferred} more left for a later run (max_files {MaxFiles})" : text;
        }

        public string NothingToDo() =>
            $"nothing to do in {Directory}: no file matching '{Pattern}' is older than {OlderThan}"
            + (Kept > 0 ? $" beyond the {keepNewest} newest kept" : string.Empty);
    }
}

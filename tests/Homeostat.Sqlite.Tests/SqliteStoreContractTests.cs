using Homeostat.Healing;
using Homeostat.TestKit.StoreContract;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

/// <summary>The store contract on SQLite: a database file, and a second instance on it as another process.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private string? _directory;

    protected override IHomeostatStore OpenStore(FakeTimeProvider time)
    {
        _directory = Path.Combine(Path.GetTempPath(), "homeostat-contract-" + Guid.NewGuid().ToString("N"));
        return OpenReplica(time);
    }

    protected override IHomeostatStore OpenReplica(FakeTimeProvider time) =>
        new SqliteStore(Options.Create(new SqliteStoreOptions { DataDirectory = _directory! }), time);
}

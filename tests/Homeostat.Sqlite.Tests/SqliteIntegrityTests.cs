using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.TestKit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

/// <summary>The store's own integrity: refused at open when damaged, unhealthy once a running store meets damage, and the checks it offers.</summary>
public sealed class SqliteIntegrityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-integrity-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 17, 0, 0, TimeSpan.Zero));

    private string Database => Path.Combine(_directory, SqliteStoreOptions.FileName);

    [Fact]
    public async Task RunningStore_MeetsADamagedPage_ThrowsStoreDamaged_AndAnswersNothingAfterwards()
    {
        using var store = Open();
        await AppendAsync(store, 60);
        StoreDamage.Settle(Database);
        StoreDamage.ZeroPage(Database, StoreDamage.LeafPages(Database, "audit")[^1]);

        var write = await Should.ThrowAsync<StoreDamagedException>(() => AppendAsync(store, 1));

        write.Store.ShouldBe(Database);
        store.Damage.ShouldNotBeNull();

        // What /readyz asks: a damaged store is not ready, even for a read that would not touch the damaged page.
        await Should.ThrowAsync<StoreDamagedException>(() => store.NextDueAtAsync(CancellationToken.None));
        await Should.ThrowAsync<StoreDamagedException>(() => store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Open_DamagedStore_IsRefusedWithTheFileAndThePage()
    {
        using (var store = Open())
        {
            await AppendAsync(store, 60);
        }

        StoreDamage.Settle(Database);
        var page = StoreDamage.LeafPages(Database, "audit")[0];
        StoreDamage.ZeroPage(Database, page);

        var refused = Should.Throw<StoreDamagedException>(Open);

        refused.Store.ShouldBe(Database);
        refused.Problem.ShouldStartWith($"page {page}: ");
    }

    [Fact]
    public async Task Open_AnotherProgramsDatabase_IsRefusedNotTakenOver()
    {
        Directory.CreateDirectory(_directory);
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE recipes (name TEXT);";
            command.ExecuteNonQuery();
        }

        var refused = Should.Throw<StoreDamagedException>(Open);

        refused.Problem.ShouldContain("not a Homeostat store");
    }

    [Fact]
    public async Task FullCheck_PayloadThatIsNotJson_NamesTheRecord_QuickCheckOfAnIntactStorePasses()
    {
        using (var store = Open())
        {
            await AppendAsync(store, 3);
        }

        var integrity = new SqliteStoreIntegrity(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }));
        integrity.QuickCheck().IsHealthy.ShouldBeTrue();
        StoreDamage.Settle(Database);
        StoreDamage.Replace(Database, "{\"n\":2}", "{\"n\":2 ");

        var report = await integrity.FullCheckAsync(CancellationToken.None);

        report.IsHealthy.ShouldBeFalse();
        report.Problems.ShouldHaveSingleItem().ShouldStartWith("record seq 2: payload is not JSON");
        report.RecordsChecked.ShouldBe(2);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private SqliteStore Open() => new(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }), _time);

    private static async Task AppendAsync(SqliteStore store, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var n = i;
            await store.WriteAsync(w => w.AppendAuditAsync(new AuditEntry("note", $"note {n} " + new string('x', 200)) { Payload = $"{{\"n\":{n}}}" }, CancellationToken.None), CancellationToken.None);
        }
    }
}

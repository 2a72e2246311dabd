using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.TestKit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

/// <summary>
/// testdata/store-v1.db was written by the first release (schema 1, schema_info left empty): the quickstart's sandbox
/// healed, three billing alerts escalated, an unknown signal, an OOM dry run, 100 audit records.
/// </summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-migration-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 17, 0, 0, TimeSpan.Zero));

    public SqliteMigrationTests()
    {
        Directory.CreateDirectory(_directory);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "testdata", "store-v1.db"), Path.Combine(_directory, SqliteStoreOptions.FileName));
    }

    [Fact]
    public async Task StoreOfTheFirstRelease_OpensReadsAndVerifies_AfterMigratingToTheLatestSchema()
    {
        using var store = Open();

        store.SchemaVersion.ShouldBe(4);
        var incidents = await store.ListIncidentsAsync(new IncidentQuery(), CancellationToken.None);
        incidents.Count.ShouldBe(6);
        incidents.Count(i => i.State == IncidentState.Escalated).ShouldBe(5);
        incidents.Single(i => i.State == IncidentState.Remediated).Service.ShouldBe("shop");

        var report = await store.VerifyAuditChainAsync(CancellationToken.None);
        report.IsIntact.ShouldBeTrue(report.Problem);
        report.RecordsChecked.ShouldBe(100);
    }

    [Fact]
    public async Task StoreOfTheFirstRelease_OldPayloadsReadAsTypedRecords_AndFillTheNewColumns()
    {
        using var store = Open();
        var audit = await store.QueryAuditAsync(new AuditQuery { Limit = 1000 }, CancellationToken.None);

        // The rate limit now reads columns; the first release's three real starts for billing are still counted.
        (await store.CountExecutionsAsync("billing", "rotate_and_compress_logs", _time.GetUtcNow().AddDays(-30), CancellationToken.None)).ShouldBe(3);
        var decided = audit.Where(r => r.Type == AuditTypes.Decided).ToList();
        decided.ShouldNotBeEmpty();
        decided.ShouldAllBe(r => r.Decision != null && r.Read<DecidedPayload>()!.Decision == r.Decision);
        audit.Single(r => r.Type == AuditTypes.Classified && r.Service == "orders").Read<ClassifiedPayload>()!.Class.ShouldBe("unknown");
        audit.Where(r => r.Type == AuditTypes.Guardrail).ShouldAllBe(r => r.Read<GuardrailPayload>() != null);
        audit.Where(r => r.Type == AuditTypes.DryRun).ShouldAllBe(r => r.DryRun == true && r.Read<PreviewPayload>()!.DryRun);
    }

    [Fact]
    public async Task MigratedStore_TakesNewWork_AndReopensWithoutMigratingAgain()
    {
        using (var store = Open())
        {
            var incident = (await store.ListIncidentsAsync(new IncidentQuery { Service = "orders" }, CancellationToken.None)).Single();
            await store.WriteAsync(w => w.ForceAsync(incident, incident with { Detail = "looked at" }), CancellationToken.None);
        }

        using var reopened = Open();
        reopened.SchemaVersion.ShouldBe(4);
        (await reopened.VerifyAuditChainAsync(CancellationToken.None)).IsIntact.ShouldBeTrue();
        (await reopened.ListIncidentsAsync(new IncidentQuery { Service = "orders" }, CancellationToken.None)).Single().Detail.ShouldBe("looked at");
    }

    [Fact]
    public async Task StoreOfTheFirstRelease_OpenedWithAKey_OldRecordsVerifyUnkeyed_NewOnesKeyed()
    {
        var keys = new AuditKeyRing(AuditKey.FromSecret("a key configured after the upgrade"u8, "test"));
        using var store = new SqliteStore(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }), _time, auditKeys: keys);

        var appended = await store.WriteAsync(w => w.AppendAuditAsync(new AuditEntry("note", "after the upgrade"), CancellationToken.None), CancellationToken.None);
        var report = await store.VerifyAuditChainAsync(CancellationToken.None);

        appended.Algorithm.ShouldBe(AuditChain.HmacSha256);
        appended.KeyId.ShouldBe(keys.Current!.Id);
        report.IsIntact.ShouldBeTrue(report.Problem);
        report.UnkeyedRecords.ShouldBe(100);
        report.KeyedRecords.ShouldBe(1);
        report.IncidentsChecked.ShouldBe(6);
    }

    [Fact]
    public async Task PendingNotificationOfTheFirstRelease_BecomesAnOutboxEntryForEveryNotifier()
    {
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, SqliteStoreOptions.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE incidents SET body = json_set(body, '$.pendingNotification', json('{"reason":"unknown_class","detail":"owed before the upgrade"}'))
                WHERE service = 'orders'
                """;
            command.ExecuteNonQuery().ShouldBe(1);
        }

        using var store = Open();
        var entry = (await store.ListNotificationsAsync(null, CancellationToken.None)).ShouldHaveSingleItem();
        entry.Notifier.ShouldBe(OutboxDelivery.EveryNotifier);
        entry.Status.ShouldBe(OutboxStatus.Pending);
        entry.Detail.ShouldBe("owed before the upgrade");
    }

    [Fact]
    public void StoreNewerThanThisBinary_IsRefusedWithAClearMessage()
    {
        using (var store = Open())
        {
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, SqliteStoreOptions.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_info SET version = 99";
            command.ExecuteNonQuery();
        }

        var refused = Should.Throw<StoreIncompatibleException>(() => Open());
        refused.Message.ShouldContain("schema version 99");
        refused.Message.ShouldContain("newer than this homeostat understands (4)");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private SqliteStore Open() => new(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }), _time);
}

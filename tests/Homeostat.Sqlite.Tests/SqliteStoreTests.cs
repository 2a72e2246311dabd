using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.TestKit;
using Homeostat.Signals;
using Homeostat.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));
    private readonly SqliteStore _store;

    public SqliteStoreTests()
    {
        _store = CreateSut();
    }

    [Fact]
    public async Task AppendAudit_Records_AreChainedAndVerify()
    {
        await AppendAsync("one", "two", "three");

        var records = await _store.QueryAuditAsync(new AuditQuery(), CancellationToken.None);
        var report = await _store.VerifyAuditChainAsync(CancellationToken.None);

        records.Select(r => r.Sequence).ShouldBe([1L, 2L, 3L]);
        records[0].PreviousHash.ShouldBe(AuditChain.GenesisHash);
        records[1].PreviousHash.ShouldBe(records[0].Hash);
        report.IsIntact.ShouldBeTrue();
        report.RecordsChecked.ShouldBe(3);
    }

    [Fact]
    public async Task Audit_UpdateOrDeleteThroughSql_IsRefusedBySchema()
    {
        await AppendAsync("original");
        await using var connection = new SqliteConnection(_store.ConnectionString);
        connection.Open();

        var update = Should.Throw<SqliteException>(() => Execute(connection, "UPDATE audit SET summary = 'forged' WHERE seq = 1"));
        var delete = Should.Throw<SqliteException>(() => Execute(connection, "DELETE FROM audit"));

        update.Message.ShouldContain("append-only");
        delete.Message.ShouldContain("append-only");
        (await _store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).Single().Summary.ShouldBe("original");
    }

    [Fact]
    public async Task VerifyAuditChain_RecordChangedBehindTheStoresBack_NamesTheFirstBrokenRecord()
    {
        await AppendAsync("one", "two", "three", "four");
        await using (var connection = new SqliteConnection(_store.ConnectionString))
        {
            connection.Open();

            // Someone with file access drops the guard and edits history.
            Execute(connection, "DROP TRIGGER audit_no_update");
            Execute(connection, "UPDATE audit SET summary = 'nothing happened here' WHERE seq = 2");
        }

        var report = await _store.VerifyAuditChainAsync(CancellationToken.None);

        report.IsIntact.ShouldBeFalse();
        report.FirstBroken!.Sequence.ShouldBe(2);
        report.Problem!.ShouldContain("record 2");
    }

    [Fact]
    public async Task VerifyAuditChain_RecordDeleted_ReportsTheGap()
    {
        await AppendAsync("one", "two", "three");
        await using (var connection = new SqliteConnection(_store.ConnectionString))
        {
            connection.Open();
            Execute(connection, "DROP TRIGGER audit_no_delete");
            Execute(connection, "DELETE FROM audit WHERE seq = 2");
        }

        var report = await _store.VerifyAuditChainAsync(CancellationToken.None);

        report.FirstBroken!.Sequence.ShouldBe(3);
        report.Problem!.ShouldContain("record 2 is missing");
    }

    [Fact]
    public async Task ClaimNextDue_TwoOwners_OnlyOneGetsTheIncidentUntilTheLeaseEnds()
    {
        await InsertAsync(Incident("i-1", "fp-1"));

        var first = await _store.ClaimNextDueAsync("replica-a", _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);
        var second = await _store.ClaimNextDueAsync("replica-b", _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        var afterLease = await _store.ClaimNextDueAsync("replica-b", _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);

        first!.Id.ShouldBe("i-1");
        second.ShouldBeNull();
        afterLease!.Id.ShouldBe("i-1");
    }

    [Fact]
    public async Task ClaimNextDue_NotYetDue_IsNotClaimedAndNextDueAtSaysWhen()
    {
        await InsertAsync(Incident("i-1", "fp-1") with { NextDueAt = _time.GetUtcNow().AddMinutes(2) });

        var claimed = await _store.ClaimNextDueAsync("a", _time.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);
        var next = await _store.NextDueAtAsync(CancellationToken.None);

        claimed.ShouldBeNull();
        next.ShouldBe(_time.GetUtcNow().AddMinutes(2));
    }

    [Fact]
    public async Task InsertIncident_SecondActiveIncidentForOneFingerprint_IsRefused()
    {
        await InsertAsync(Incident("i-1", "fp-1"));

        await Should.ThrowAsync<SqliteException>(() => InsertAsync(Incident("i-2", "fp-1")));
    }

    [Fact]
    public async Task UpdateIncident_StaleVersion_IsRejected()
    {
        await InsertAsync(Incident("i-1", "fp-1"));
        var current = (await _store.GetIncidentAsync("i-1", CancellationToken.None))!;

        var first = await _store.WriteAsync(w => w.ForceAsync(current, current with { Detail = "first" }), CancellationToken.None);
        var stale = await _store.WriteAsync(w => w.ForceAsync(current, current with { Detail = "second" }), CancellationToken.None);

        first.ShouldBeTrue();
        stale.ShouldBeFalse();
        (await _store.GetIncidentAsync("i-1", CancellationToken.None))!.Detail.ShouldBe("first");
    }

    [Fact]
    public async Task WriteAsync_WorkThrows_NothingIsCommitted()
    {
        await Should.ThrowAsync<InvalidOperationException>(() => _store.WriteAsync<bool>(
            async w =>
            {
                await w.AppendAuditAsync(new AuditEntry("t", "half"), CancellationToken.None);
                throw new InvalidOperationException("boom");
            },
            CancellationToken.None));

        (await _store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task CountExecutions_CountsRealStartsOfTheActionForTheServiceInTheWindow()
    {
        await _store.WriteAsync(
            async w =>
            {
                await w.AppendAuditAsync(AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "real", "i", "checkout"), CancellationToken.None);
                await w.AppendAuditAsync(AuditEntry.Of(new ActionStartedPayload("scale_memory_limit", DryRun: false), "other action", "i", "checkout"), CancellationToken.None);
                await w.AppendAuditAsync(AuditEntry.Of(new ActionStartedPayload("rotate_and_compress_logs", DryRun: false), "other service", "i", "payments"), CancellationToken.None);
                return true;
            },
            CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(30));

        var inWindow = await _store.CountExecutionsAsync("checkout", "rotate_and_compress_logs", _time.GetUtcNow().AddHours(-1), CancellationToken.None);
        var outOfWindow = await _store.CountExecutionsAsync("checkout", "rotate_and_compress_logs", _time.GetUtcNow().AddMinutes(-10), CancellationToken.None);

        inWindow.ShouldBe(1);
        outOfWindow.ShouldBe(0);
    }

    [Fact]
    public async Task Store_ReopenedFromTheSameDirectory_KeepsEverything()
    {
        await AppendAsync("survives a restart");
        await InsertAsync(Incident("i-1", "fp-1"));

        using var reopened = CreateSut();

        (await reopened.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).Single().Summary.ShouldBe("survives a restart");
        (await reopened.GetIncidentAsync("i-1", CancellationToken.None))!.Signal.Labels["severity"].ShouldBe("critical");

        // The chain survives; the incident, written here without the records the engine writes, is named for it.
        var report = await reopened.VerifyAuditChainAsync(CancellationToken.None);
        report.RecordsChecked.ShouldBe(1);
        report.Findings.ShouldHaveSingleItem().Problem.ShouldContain("incident i-1: it has no audit records");
    }

    public void Dispose()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private SqliteStore CreateSut() => new(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }), _time);

    private Task AppendAsync(params string[] summaries) =>
        _store.WriteAsync(
            async w =>
            {
                foreach (var summary in summaries)
                {
                    await w.AppendAuditAsync(new AuditEntry("test", summary) { Service = "checkout" }, CancellationToken.None);
                }

                return true;
            },
            CancellationToken.None);

    private Task InsertAsync(Incident incident) =>
        _store.WriteAsync(
            async w =>
            {
                await w.InsertAsync(incident);
                return true;
            },
            CancellationToken.None);

    private Incident Incident(string id, string fingerprint) => new()
    {
        Id = id,
        Fingerprint = fingerprint,
        DeliveryKey = fingerprint,
        Service = "checkout",
        State = IncidentState.Open,
        Signal = new Signal { Id = "s", Source = SignalSources.Api, Title = "t", Labels = new Dictionary<string, string> { ["severity"] = "critical" } },
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
        NextDueAt = _time.GetUtcNow(),
    };

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

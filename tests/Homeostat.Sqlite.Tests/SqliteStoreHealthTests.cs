using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

/// <summary>A store that cannot write says so as <see cref="StoreUnavailableException"/> and reports it to <see cref="StoreHealth"/>.</summary>
public sealed class SqliteStoreHealthTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-health-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task AReadOnlyDatabaseFile_RefusesWritesAsUnavailable_AndMarksTheStoreUnwritable()
    {
        using (new SqliteStore(Options(new SqliteStoreOptions { DataDirectory = _directory }), _time))
        {
        }

        var health = new StoreHealth(_time);
        var readOnly = $"Data Source={Path.Combine(_directory, SqliteStoreOptions.FileName)};Mode=ReadOnly";
        using var store = new SqliteStore(Options(new SqliteStoreOptions { ConnectionString = readOnly }), _time, health);

        var refused = await Should.ThrowAsync<StoreUnavailableException>(() => store.WriteAsync(w => w.AppendAuditAsync(Entry(), CancellationToken.None), CancellationToken.None));

        refused.Reason.ShouldContain("SQLITE_READONLY");
        health.IsWritable.ShouldBeFalse();
        health.Reason.ShouldBe(refused.Reason);
    }

    [Fact]
    public async Task ADiskFullInsideTheTransaction_RollsBack_AndTheProbeRecoversOnceWritesWork()
    {
        var health = new StoreHealth(_time);
        using var store = new SqliteStore(Options(new SqliteStoreOptions { DataDirectory = _directory }), _time, health);

        await Should.ThrowAsync<StoreUnavailableException>(() => store.WriteAsync<bool>(
            async w =>
            {
                await w.AppendAuditAsync(Entry(), CancellationToken.None);
                throw new SqliteException("database or disk is full", 13);
            },
            CancellationToken.None));

        health.IsWritable.ShouldBeFalse();
        (await store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).ShouldBeEmpty();
        await store.ProbeWriteAsync(CancellationToken.None);
        health.IsWritable.ShouldBeTrue();
        (await store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).ShouldBeEmpty("the probe writes no audit record");
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

    private static IOptions<SqliteStoreOptions> Options(SqliteStoreOptions options) => Microsoft.Extensions.Options.Options.Create(options);

    private static AuditEntry Entry() => AuditEntry.Of(new ResumedPayload("shop", "disk_full"), "resumed", null, "shop");
}

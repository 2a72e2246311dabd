using Homeostat.Healing;
using System.Threading.Channels;
using Homeostat.Audit;
using Homeostat.Primitives;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Sqlite.Tests;

/// <summary>Someone with write access to the store file tampers with it; the keyed chain and the checkpoints say so.</summary>
public sealed class AuditChainTamperingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-tamper-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 22, 0, 0, TimeSpan.Zero));
    private readonly AuditKey _key = AuditKey.FromSecret("a secret of more than sixteen bytes"u8, "test");

    public AuditChainTamperingTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, SqliteStoreOptions.FileName);

    [Fact]
    public async Task LastFiftyRecordsDeleted_WithACheckpoint_IsATruncatedTail_WithoutOneItIsNotDetectable()
    {
        var checkpoint = await WriteAndCheckpointAsync(keyed: true, records: 100);
        Execute("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > 50;");

        var withCheckpoint = await VerifyAsync(keyed: true, checkpoint);
        var without = await VerifyAsync(keyed: true);

        withCheckpoint.IsIntact.ShouldBeFalse();
        withCheckpoint.Problem!.ShouldContain("the trail ends at record 50, but the checkpoint of");
        withCheckpoint.Problem!.ShouldContain("records 51 to 100 were removed");
        without.IsIntact.ShouldBeTrue();
        without.Limits.ShouldContain(l => l.Contains("removing records from the end"));
    }

    [Fact]
    public async Task AllRecordsDeleted_WithACheckpoint_IsAnEmptiedStore()
    {
        var checkpoint = await WriteAndCheckpointAsync(keyed: true, records: 10);
        Execute("DROP TRIGGER audit_no_delete; DELETE FROM audit;");

        var report = await VerifyAsync(keyed: true, checkpoint);

        report.IsIntact.ShouldBeFalse();
        report.Problem!.ShouldContain("the store holds no records");
        report.Problem!.ShouldContain("emptied or replaced");
    }

    [Fact]
    public async Task DatabaseFileTruncatedToZeroBytes_WithACheckpoint_IsRefusedAsAnEmptiedStore()
    {
        _ = await WriteAndCheckpointAsync(keyed: true, records: 10);
        SqliteConnection.ClearAllPools();
        File.Delete(DatabasePath + "-wal");
        File.Delete(DatabasePath + "-shm");
        File.WriteAllBytes(DatabasePath, []);

        // The store refuses an emptied file before anything reads it (a missing file is a new store, an empty one is not).
        Should.Throw<StoreDamagedException>(() => Open(keyed: true)).Message.ShouldContain("empty file");
        File.ReadAllBytes(DatabasePath).ShouldBeEmpty();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task MiddleRecordEditedAndLaterHashesRecomputed_UnkeyedItPassesAndSaysSo_KeyedItIsCaught()
    {
        await WriteAsync(keyed: false, records: 20);
        RewriteFrom(10, "nothing happened here", keepAlgorithm: true);
        var unkeyed = await VerifyAsync(keyed: false);

        unkeyed.IsIntact.ShouldBeTrue();
        unkeyed.Limits.ShouldContain(l => l.Contains("can rewrite records and recompute every later hash, and that is not detected"));

        Reset();
        await WriteAsync(keyed: true, records: 20);
        RewriteFrom(10, "nothing happened here", keepAlgorithm: true);
        var keyed = await VerifyAsync(keyed: true);

        keyed.IsIntact.ShouldBeFalse();
        keyed.FirstBroken!.Sequence.ShouldBe(10);
        keyed.Problem!.ShouldContain("its HMAC");
    }

    [Fact]
    public async Task KeyedChainRewrittenAsPlainSha256FromTheMiddle_IsCaughtAsUnkeyedAfterKeyed()
    {
        await WriteAsync(keyed: true, records: 20);
        RewriteFrom(10, "nothing happened here", keepAlgorithm: false);

        var report = await VerifyAsync(keyed: true);

        report.FirstBroken!.Sequence.ShouldBe(10);
        report.Problem!.ShouldContain("is not keyed although record 1 before it was");
    }

    [Fact]
    public async Task WholeChainRewritten_WithASignedCheckpoint_IsCaughtAtTheCheckpoint()
    {
        var checkpoint = await WriteAndCheckpointAsync(keyed: false, records: 20);
        RewriteFrom(5, "rewritten", keepAlgorithm: true);

        var report = await VerifyAsync(keyed: false, checkpoint);

        report.FirstBroken!.Sequence.ShouldBe(20);
        report.Problem!.ShouldContain("is not the hash");
        report.Problem!.ShouldContain("rewritten or the store replaced");
    }

    [Fact]
    public async Task CheckpointEdited_ItsSignatureNoLongerMatches()
    {
        var checkpoint = await WriteAndCheckpointAsync(keyed: true, records: 5);

        var report = await VerifyAsync(keyed: true, checkpoint with { At = "2020-01-01T00:00:00.0000000Z" });

        report.Problem!.ShouldContain("does not match its signature");
    }

    [Fact]
    public async Task QueryColumnChangedBehindThePayloadsBack_IsNamed()
    {
        await WriteAsync(keyed: false, records: 3, type: AuditTypes.ActionStarted);
        Execute("DROP TRIGGER audit_no_update; UPDATE audit SET dry_run = 1 WHERE seq = 2;");

        var report = await VerifyAsync(keyed: false);

        report.FirstBroken!.Sequence.ShouldBe(2);
        report.Problem!.ShouldContain("query column(s) disagree with its payload: dry_run is '1', the payload says '0'");
    }

    [Fact]
    public async Task TimeAndPayloadThatDoNotParse_AreNamedNotThrown()
    {
        // Older than the newest records the start-up check decodes, so the store opens and verify has to find them.
        await WriteAsync(keyed: false, records: 100);
        Execute("DROP TRIGGER audit_no_update; UPDATE audit SET at = 'yesterday-ish' WHERE seq = 2; UPDATE audit SET payload = '{not json' WHERE seq = 3;");

        var report = await VerifyAsync(keyed: false);

        report.Findings.ShouldContain(f => f.Sequence == 2 && f.Problem.Contains("its time 'yesterday-ish' is not a time"));
        report.Findings.ShouldContain(f => f.Sequence == 3 && f.Problem.Contains("its payload is not JSON"));
    }

    [Fact]
    public async Task CheckpointWriter_WritesAtStart_AtEachIntervalWhenTheHeadMoved_AndOnShutdown()
    {
        var checkpoints = Path.Combine(_directory, "..", "checkpoints-" + Guid.NewGuid().ToString("N"));
        using var store = Open(keyed: true);
        var options = Options.Create(new AuditOptions { Checkpoints = new AuditCheckpointOptions { Directory = checkpoints, Interval = Duration.Parse("5m") } });
        var recorded = Channel.CreateUnbounded<AuditCheckpoint>();

        // The file sink goes first: once the recording sink has a checkpoint, the file has it too.
        using var writer = new AuditCheckpointWriter(store, new AuditKeyRing(_key), [new FileCheckpointSink(options), new RecordingSink(recorded.Writer)], options, _time, NullLogger<AuditCheckpointWriter>.Instance);
        await AppendAsync(store, 3);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await writer.StartAsync(CancellationToken.None);
        var atStart = await recorded.Reader.ReadAsync(timeout.Token);
        await AppendAsync(store, 2);
        _time.Advance(TimeSpan.FromMinutes(5));
        var atInterval = await recorded.Reader.ReadAsync(timeout.Token);
        await AppendAsync(store, 1);
        await writer.StopAsync(CancellationToken.None);
        var atShutdown = await recorded.Reader.ReadAsync(timeout.Token);

        atStart.Sequence.ShouldBe(3);
        atInterval.Sequence.ShouldBe(5);
        atShutdown.Sequence.ShouldBe(6);
        atShutdown.IsSignedBy(_key).ShouldBeTrue();
        (await writer.CheckpointAsync(CancellationToken.None)).ShouldBeNull("the head did not move since the last checkpoint");
        var problems = new List<string>();
        AuditCheckpointFile.Read(checkpoints, problems).Select(c => c.Sequence).ShouldBe([3L, 5L, 6L]);
        problems.ShouldBeEmpty();
        Directory.Delete(checkpoints, recursive: true);
    }

    [Fact]
    public async Task UnkeyedRecordsOfAnEarlierRelease_VerifyBesideKeyedOnes()
    {
        await WriteAsync(keyed: false, records: 5);
        Execute("DROP TRIGGER audit_no_update; UPDATE audit SET alg = NULL;");
        await WriteAsync(keyed: true, records: 5);

        var report = await VerifyAsync(keyed: true);

        report.IsIntact.ShouldBeTrue(report.Problem);
        report.UnkeyedRecords.ShouldBe(5);
        report.KeyedRecords.ShouldBe(5);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<AuditCheckpoint> WriteAndCheckpointAsync(bool keyed, int records)
    {
        await WriteAsync(keyed, records);
        using var store = Open(keyed);
        var head = (await store.GetAuditHeadAsync(CancellationToken.None))!;
        return AuditCheckpoint.Create(head, _time.GetUtcNow(), keyed ? _key : null);
    }

    private async Task WriteAsync(bool keyed, int records, string type = "note")
    {
        using var store = Open(keyed);
        await AppendAsync(store, records, type);
    }

    private static async Task AppendAsync(SqliteStore store, int records, string type = "note")
    {
        for (var i = 0; i < records; i++)
        {
            var entry = type == AuditTypes.ActionStarted
                ? AuditEntry.Of(new ActionStartedPayload("restart", DryRun: false), "starting restart for real", "i-1", "checkout")
                : new AuditEntry(type, $"record {i}") { Service = "checkout" };
            await store.WriteAsync(w => w.AppendAuditAsync(entry, CancellationToken.None), CancellationToken.None);
        }
    }

    private async Task<AuditChainReport> VerifyAsync(bool keyed, params AuditCheckpoint[] checkpoints)
    {
        using var store = Open(keyed);
        return await AuditTrailVerification.VerifyAsync(store, keyed ? new AuditKeyRing(_key) : AuditKeyRing.None, checkpoints, [], CancellationToken.None);
    }

    /// <summary>What an operator with the file and no key can do: change a record and recompute every later hash with plain SHA-256.</summary>
    private void RewriteFrom(long sequence, string summary, bool keepAlgorithm)
    {
        using var connection = Connection();
        Run(connection, "DROP TRIGGER IF EXISTS audit_no_update");
        var rows = new List<(long Seq, string Id, string At, string? Incident, string? Service, string Type, string Actor, string Summary, string Payload, string Prev)>();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT seq, id, at, incident_id, service, type, actor, summary, payload, prev_hash FROM audit ORDER BY seq";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9)));
            }
        }

        string? previous = null;
        foreach (var row in rows)
        {
            if (row.Seq < sequence)
            {
                previous = null;
                using var hash = connection.CreateCommand();
                hash.CommandText = "SELECT hash FROM audit WHERE seq = $seq";
                hash.Parameters.AddWithValue("$seq", row.Seq);
                previous = (string)hash.ExecuteScalar()!;
                continue;
            }

            var text = row.Seq == sequence ? summary : row.Summary;
            var prev = previous ?? row.Prev;
            var newHash = Hashing.Sha256Hex(AuditChain.Canonical(row.Seq, row.Id, row.At, row.Incident, row.Service, row.Type, row.Actor, text, row.Payload, prev));
            using var update = connection.CreateCommand();
            update.CommandText = keepAlgorithm
                ? "UPDATE audit SET summary = $summary, prev_hash = $prev, hash = $hash WHERE seq = $seq"
                : "UPDATE audit SET summary = $summary, prev_hash = $prev, hash = $hash, alg = 'sha256', key_id = NULL WHERE seq = $seq";
            update.Parameters.AddWithValue("$summary", text);
            update.Parameters.AddWithValue("$prev", prev);
            update.Parameters.AddWithValue("$hash", newHash);
            update.Parameters.AddWithValue("$seq", row.Seq);
            update.ExecuteNonQuery();
            previous = newHash;
        }
    }

    private void Reset()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(_directory))
        {
            File.Delete(file);
        }
    }

    private SqliteStore Open(bool keyed) =>
        new(Options.Create(new SqliteStoreOptions { DataDirectory = _directory }), _time, auditKeys: keyed ? new AuditKeyRing(_key) : null);

    private SqliteConnection Connection()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using var connection = Connection();
        Run(connection, sql);
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class RecordingSink(ChannelWriter<AuditCheckpoint> writer) : IAuditCheckpointSink
    {
        public Task PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) => writer.WriteAsync(checkpoint, cancellationToken).AsTask();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Homeostat.Primitives;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Audit;

/// <summary>The last record of the chain: its sequence number and hash.</summary>
public sealed record AuditHead(long Sequence, string Hash);

/// <summary>
/// The head of the chain at a time, kept outside the store and signed with the audit key (unsigned without one). A
/// later verification finds the record at <see cref="Sequence"/> with the same <see cref="Hash"/>, or says what
/// happened: records removed from the end, the store emptied or replaced, the chain rewritten.
/// </summary>
public sealed record AuditCheckpoint
{
    [JsonPropertyName("seq")]
    public required long Sequence { get; init; }

    [JsonPropertyName("hash")]
    public required string Hash { get; init; }

    [JsonPropertyName("at")]
    public required string At { get; init; }

    [JsonPropertyName("alg")]
    public string? Algorithm { get; init; }

    [JsonPropertyName("keyId")]
    public string? KeyId { get; init; }

    [JsonPropertyName("sig")]
    public string? Signature { get; init; }

    public static AuditCheckpoint Create(AuditHead head, DateTimeOffset at, AuditKey? key)
    {
        var checkpoint = new AuditCheckpoint { Sequence = head.Sequence, Hash = head.Hash, At = AuditChain.FormatTime(at) };
        return key is null
            ? checkpoint with { Algorithm = "none" }
            : checkpoint with { Algorithm = AuditChain.HmacSha256, KeyId = key.Id, Signature = key.Sign(checkpoint.SignedText(key.Id)) };
    }

    public bool IsSignedBy(AuditKey key) => KeyId == key.Id && key.Verifies(SignedText(key.Id), Signature);

    public string ToJson() => JsonSerializer.Serialize(this, HomeostatJson.Options);

    public override string ToString() =>
        $"record {Sequence} hash {Hash} at {At} " + (Signature is null ? "(unsigned: no audit key)" : $"key {KeyId} signature {Signature}");

    private string SignedText(string keyId) =>
        string.Join('\u001f', "homeostat-audit-checkpoint", Sequence.ToString(CultureInfo.InvariantCulture), Hash, At, keyId);
}

/// <summary>Where a checkpoint goes: the log, a file, a notifier. Register more to send checkpoints elsewhere.</summary>
public interface IAuditCheckpointSink
{
    Task PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);
}

/// <summary>The append-only checkpoint file in <c>audit.checkpoints.directory</c>: one JSON object a line.</summary>
public static class AuditCheckpointFile
{
    public const string FileName = "checkpoints.jsonl";

    public static async Task AppendAsync(string directory, AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Append, FileAccess.Write, FileShare.Read);
        var line = Encoding.UTF8.GetBytes(checkpoint.ToJson() + "\n");
        await stream.WriteAsync(line, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every checkpoint in the directory's file, and a sentence for each line that is not one.</summary>
    public static IReadOnlyList<AuditCheckpoint> Read(string directory, List<string> problems)
    {
        var path = Path.Combine(directory, FileName);
        var checkpoints = new List<AuditCheckpoint>();
        if (!File.Exists(path))
        {
            problems.Add($"no checkpoint file at {path}");
            return checkpoints;
        }

        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                var checkpoint = JsonSerializer.Deserialize<AuditCheckpoint>(line, HomeostatJson.Options);
                if (checkpoint is null || checkpoint.Sequence < 1 || string.IsNullOrEmpty(checkpoint.Hash) || string.IsNullOrEmpty(checkpoint.At))
                {
                    problems.Add($"{path}:{number}: is not a checkpoint");
                    continue;
                }

                checkpoints.Add(checkpoint);
            }
            catch (JsonException exception)
            {
                problems.Add($"{path}:{number}: is not a checkpoint: {exception.Message}");
            }
        }

        return checkpoints;
    }
}

public sealed partial class LogCheckpointSink(ILogger<LogCheckpointSink> logger) : IAuditCheckpointSink
{
    public Task PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        Checkpointed(logger, checkpoint.ToString());
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "audit checkpoint: {Checkpoint}")]
    private static partial void Checkpointed(ILogger logger, string checkpoint);
}

public sealed class FileCheckpointSink(IOptions<AuditOptions> options) : IAuditCheckpointSink
{
    public Task PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) =>
        options.Value.Checkpoints.Directory is { Length: > 0 } directory ? AuditCheckpointFile.AppendAsync(directory, checkpoint, cancellationToken) : Task.CompletedTask;
}

/// <summary>
/// Checkpoints the head of the chain at start, every <c>audit.checkpoints.interval</c> when it moved, and on graceful
/// shutdown, to every <see cref="IAuditCheckpointSink"/>. Registered first among the workers so it stops last.
/// </summary>
public sealed partial class AuditCheckpointWriter(
    IAuditTrail trail,
    AuditKeyRing keys,
    IEnumerable<IAuditCheckpointSink> sinks,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditCheckpointWriter> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AuditHead? _last;

    /// <summary>Writes a checkpoint of the current head unless the last one saw it already; returns it, or null.</summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var head = await trail.GetAuditHeadAsync(cancellationToken);
            if (head is null || head == _last)
            {
                return null;
            }

            var checkpoint = AuditCheckpoint.Create(head, timeProvider.GetUtcNow(), keys.Current);
            foreach (var sink in sinks)
            {
                try
                {
                    await sink.PublishAsync(checkpoint, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    SinkFailed(logger, sink.GetType().Name, checkpoint.Sequence, exception.Message);
                }
            }

            _last = head;
            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await CheckpointAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(logger, exception.Message);
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Checkpoints.Interval.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            // The next wait starts before this checkpoint is published, so the interval does not drift with the sinks.
            var next = Task.Delay(interval, timeProvider, stoppingToken);
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Failed(logger, exception.Message);
            }

            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "audit checkpoint of record {Sequence} not written to {Sink}: {Problem}")]
    private static partial void SinkFailed(ILogger logger, string sink, long sequence, string problem);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "audit checkpoint failed: {Problem}")]
    private static partial void Failed(ILogger logger, string problem);
}

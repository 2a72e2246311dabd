using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Homeostat.Primitives;

namespace Homeostat.Audit;

/// <summary>The first line of an export: what it is, which key signed it and which records it covers.</summary>
public sealed record AuditExportHeader
{
    public string Kind { get; init; } = "header";

    public string Format { get; init; } = AuditExport.Format;

    public int Version { get; init; } = AuditExport.Version;

    public required string ExportedAt { get; init; }

    public string? Alg { get; init; }

    public string? KeyId { get; init; }

    public string? Since { get; init; }

    public string? Until { get; init; }

    public string? Incident { get; init; }
}

/// <summary>The last line of an export: how many records, the last one, a digest of every line before it, and its signature.</summary>
public sealed record AuditExportTrailer
{
    public string Kind { get; init; } = "trailer";

    public required long Count { get; init; }

    public long? FirstSeq { get; init; }

    public long? LastSeq { get; init; }

    public string? HeadHash { get; init; }

    public required string Digest { get; init; }

    public string? Alg { get; init; }

    public string? KeyId { get; init; }

    public string? Sig { get; init; }

    [JsonIgnore]
    public string SignedText => string.Join('\u001f', AuditExport.Format, Count.ToString(CultureInfo.InvariantCulture), FirstSeq?.ToString(CultureInfo.InvariantCulture), LastSeq?.ToString(CultureInfo.InvariantCulture), HeadHash, Digest, KeyId);
}

/// <summary>
/// A self-contained, signed JSON Lines copy of (part of) the trail: a header, one line per record with its hash fields,
/// and a trailer whose HMAC covers a digest of every line before it. Verified offline, with no store.
/// </summary>
public static class AuditExport
{
    public const string Format = "homeostat-audit-export";

    public const int Version = 1;

    public static async Task<AuditExportTrailer> WriteAsync(IAuditTrail trail, AuditRange range, AuditKey? key, DateTimeOffset now, TextWriter writer, CancellationToken cancellationToken)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        async Task LineAsync(string line)
        {
            digest.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
            await writer.WriteLineAsync(line);
        }

        await LineAsync(JsonSerializer.Serialize(new AuditExportHeader
        {
            ExportedAt = AuditChain.FormatTime(now),
            Alg = key is null ? "none" : AuditChain.HmacSha256,
            KeyId = key?.Id,
            Since = range.Since is { } since ? AuditChain.FormatTime(since) : null,
            Until = range.Until is { } until ? AuditChain.FormatTime(until) : null,
            Incident = range.IncidentId,
        }, HomeostatJson.Options));
        long count = 0;
        StoredAuditRow? first = null;
        StoredAuditRow? last = null;
        await foreach (var row in trail.ReadChainAsync(range, cancellationToken))
        {
            await LineAsync(JsonSerializer.Serialize(row, HomeostatJson.Options));
            first ??= row;
            last = row;
            count++;
        }

        var trailer = new AuditExportTrailer
        {
            Count = count,
            FirstSeq = first?.Sequence,
            LastSeq = last?.Sequence,
            HeadHash = last?.Hash,
            Digest = Convert.ToHexStringLower(digest.GetHashAndReset()),
            Alg = key is null ? "none" : AuditChain.HmacSha256,
            KeyId = key?.Id,
        };
        trailer = key is null ? trailer : trailer with { Sig = key.Sign(trailer.SignedText) };
        await writer.WriteLineAsync(JsonSerializer.Serialize(trailer, HomeostatJson.Options));
        return trailer;
    }

    /// <summary>Checks an export file: every record's hash or HMAC, the links between consecutive records, the query columns, the digest and the signature.</summary>
    public static async Task<AuditChainReport> VerifyAsync(string path, AuditKeyRing keys, CancellationToken cancellationToken)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var number = 0;
        AuditExportHeader? header = null;
        AuditChainVerifier? verifier = null;
        AuditExportTrailer? trailer = null;
        var early = new List<string>();
        long count = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (trailer is not null)
            {
                early.Add($"{path}:{number}: a line after the trailer: something was appended to the file");
                continue;
            }

            if (header is null)
            {
                header = Parse<AuditExportHeader>(line);
                if (header is not { Kind: "header", Format: Format })
                {
                    return new AuditChainReport { Findings = [new AuditFinding(null, null, $"{path}:1: is not a Homeostat audit export (no header line)")] };
                }

                if (header.Version != Version)
                {
                    return new AuditChainReport { Findings = [new AuditFinding(null, null, $"{path}:1: export format version {header.Version}; this homeostat reads version {Version}")] };
                }

                var whole = header.Since is null && header.Until is null && header.Incident is null;
                verifier = new AuditChainVerifier(keys, firstSequence: whole ? 1 : 0, previousHash: whole ? AuditChain.GenesisHash : null, linked: header.Incident is null);
                digest.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
                continue;
            }

            if (line.Contains("\"kind\":\"trailer\"", StringComparison.Ordinal))
            {
                trailer = Parse<AuditExportTrailer>(line);
                if (trailer is null)
                {
                    early.Add($"{path}:{number}: the trailer does not read");
                }

                continue;
            }

            digest.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
            var row = Parse<StoredAuditRow>(line);
            if (row is null)
            {
                early.Add($"{path}:{number}: is not a record");
                continue;
            }

            count++;
            verifier!.Add(row);
        }

        if (verifier is null)
        {
            return new AuditChainReport { Findings = [new AuditFinding(null, null, $"{path}: is empty")] };
        }

        foreach (var problem in early)
        {
            verifier.Report(problem);
        }

        var limits = new List<string>();
        if (trailer is null)
        {
            verifier.Report($"{path}: has no trailer: the file was cut short");
        }
        else
        {
            if (trailer.Count != count)
            {
                verifier.Report($"the trailer counts {trailer.Count} record(s) but the file holds {count}: records were added or removed");
            }

            if (trailer.LastSeq != verifier.HeadSequence || trailer.HeadHash != verifier.HeadHash)
            {
                verifier.Report($"the trailer names record {trailer.LastSeq} with hash {AuditChainVerifier.Short(trailer.HeadHash)} as the last, but the file ends at record {verifier.HeadSequence} with {AuditChainVerifier.Short(verifier.HeadHash)}");
            }

            if (trailer.Digest != Convert.ToHexStringLower(digest.GetHashAndReset()))
            {
                verifier.Report("the file's lines do not match the digest in its trailer: it was edited after it was exported");
            }

            if (trailer.Sig is null)
            {
                limits.Add("the export is unsigned (written without a key): whoever edits it can recompute its digest, so only accidental damage is detected");
            }
            else if (keys.Find(trailer.KeyId) is { } key)
            {
                if (!key.Verifies(trailer.SignedText, trailer.Sig))
                {
                    verifier.Report($"the trailer's signature (key {key.Id}) does not match: the file was edited after it was exported");
                }
            }
            else
            {
                limits.Add($"the export is signed with key {AuditChainVerifier.Printable(trailer.KeyId ?? "(none)")}, which was not given (--key-file): its signature and the HMAC of its keyed records were not checked, so a file edited and re-hashed by someone without the key is not told apart");
            }
        }

        var report = verifier.Finish();
        return report with { Limits = [.. limits, .. report.Limits.Where(l => !l.StartsWith("no checkpoints", StringComparison.Ordinal))] };
    }

    private static T? Parse<T>(string line)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, HomeostatJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Homeostat.Audit;

/// <summary>
/// The secret the chain and its checkpoints are keyed with (HMAC-SHA256). Only its <see cref="Id"/>, a fingerprint
/// that does not reveal it, is ever written anywhere.
/// </summary>
public sealed class AuditKey
{
    /// <summary>Shorter keys are refused: an HMAC is only as strong as its key.</summary>
    public const int MinimumBytes = 16;

    private readonly byte[] _secret;

    private AuditKey(byte[] secret, string source)
    {
        _secret = secret;
        Source = source;
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(secret, "homeostat audit key id"u8))[..16];
    }

    /// <summary>A fingerprint of the key: records and checkpoints name it, so a verifier knows which key to use.</summary>
    public string Id { get; }

    /// <summary>Where the key came from (a setting and a file or variable name), for messages.</summary>
    public string Source { get; }

    public static AuditKey FromSecret(ReadOnlySpan<byte> secret, string source)
    {
        if (secret.Length < MinimumBytes)
        {
            throw new ArgumentException($"an audit key needs at least {MinimumBytes} bytes", nameof(secret));
        }

        return new AuditKey(secret.ToArray(), source);
    }

    /// <summary>Reads a key kept as text (surrounding white space ignored); null with the reason when it cannot be used.</summary>
    public static AuditKey? FromText(string? text, string source, out string? problem)
    {
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            problem = "is empty";
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(trimmed);
        if (bytes.Length < MinimumBytes)
        {
            problem = $"holds {bytes.Length} byte(s); an audit key needs at least {MinimumBytes} (for example the output of 'openssl rand -hex 32')";
            return null;
        }

        problem = null;
        return new AuditKey(bytes, source);
    }

    /// <summary>Reads a key file; null with the reason when it is missing, unreadable, empty or too short.</summary>
    public static AuditKey? FromFile(string path, string setting, out string? problem)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problem = $"cannot be read: {exception.Message}";
            return null;
        }

        return FromText(text, $"{setting} {path}", out problem);
    }

    public string Sign(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(text)));

    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="text"/>, compared in constant time.</summary>
    public bool Verifies(string text, string? signature)
    {
        if (signature is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(text));
        var actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}

/// <summary>The key new records are written with, and older keys kept to verify what they wrote.</summary>
public sealed class AuditKeyRing
{
    public AuditKeyRing(AuditKey? current, IReadOnlyList<AuditKey>? previous = null)
    {
        Current = current;
        All = [.. current is null ? [] : new[] { current }, .. previous ?? []];
    }

    public static AuditKeyRing None { get; } = new(null);

    public AuditKey? Current { get; }

    public IReadOnlyList<AuditKey> All { get; }

    public bool HasKeys => All.Count > 0;

    public AuditKey? Find(string? id) => id is null ? null : All.FirstOrDefault(k => k.Id == id);
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Signals;

namespace Homeostat.Server;

/// <summary>
/// Page sizes and cursors of the list endpoints. A page holds at most <see cref="MaxLimit"/> items; a larger
/// <c>limit</c> is refused (400, naming the maximum) rather than clamped, so a client never mistakes a short page for
/// the end. Cursors are opaque to clients: base64url of the last item's position.
/// </summary>
internal static class Paging
{
    public const int MaxLimit = 1000;
    public const int DefaultIncidents = 200;
    public const int DefaultAudit = 1000;

    private const string AuditPrefix = "a:";
    private const string IncidentPrefix = "i:";

    public static int Limit(string? text, int defaultLimit, List<ContractError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return defaultLimit;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > MaxLimit)
        {
            errors.Add(new ContractError("limit", $"must be a whole number from 1 to {MaxLimit}; page through more with the cursor in 'next'", IntakeBounds.Quote(text)));
            return defaultLimit;
        }

        return limit;
    }

    public static string Cursor(AuditRecord last) => Encode(AuditPrefix + last.Sequence.ToString(CultureInfo.InvariantCulture));

    public static string Cursor(Incident last) => Encode(IncidentPrefix + AuditChain.FormatTime(last.CreatedAt) + "|" + last.Id);

    public static long? AuditCursor(string? cursor, List<ContractError> errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (Decode(cursor) is { } text && text.StartsWith(AuditPrefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(AuditPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return sequence;
        }

        errors.Add(Invalid(cursor));
        return null;
    }

    public static IncidentCursor? IncidentCursor(string? cursor, List<ContractError> errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (Decode(cursor) is { } text && text.StartsWith(IncidentPrefix, StringComparison.Ordinal)
            && text[IncidentPrefix.Length..].Split('|', 2) is [var at, { Length: > 0 } id]
            && DateTimeOffset.TryParseExact(at, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var createdAt))
        {
            return new IncidentCursor(createdAt, id);
        }

        errors.Add(Invalid(cursor));
        return null;
    }

    private static ContractError Invalid(string cursor) =>
        new("cursor", "is not a cursor this endpoint gave out; pass the 'next' value of the previous page unchanged", IntakeBounds.Quote(cursor));

    private static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static string? Decode(string cursor)
    {
        if (cursor.Length > 512)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception exception) when (exception is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}

using CsCheck;

namespace Homeostat.Fuzz.Tests;

/// <summary>Text that breaks parsers: encodings, control and bidirectional characters, near-miss syntax, huge numbers.</summary>
internal static class HostileText
{
    public const string LoneHigh = "\ud800";
    public const string LoneLow = "\udc00";

    private static readonly string[] Pieces =
    [
        LoneHigh, LoneLow, "\udbff\udbff", "\u202e", "\u200f", "\u2066", "\u200b", "\ufeff", "\uffff", "\ufffd",
        "\0", "\u0007", "\u001b[31m", "\u0085", "\u2028", "\r\n", "\n", "\r", "\t", " ",
        "😀", "e\u0301", "كتب", "ﬀ", "İ", "ß", "٣", "１", "𝟗",
        "'", "\"", "\\", "`", "$(id)", ";rm -rf /", "../../etc/passwd", "/", "%00", "%ZZ", "%2e%2e", "{{x}}", "${HOME}", "{label}",
        "*", "&", "!", "#", ":", "- ", "[", "]", "{", "}", ",", "?", "|", ">", "%", "@",
        "0", "-1", "1e309", "-0", "NaN", "Infinity", "9223372036854775808", "18446744073709551616", "0x1F", "1.5", ".5", "1e-400",
        "alertname", "oom", "disk_full", "OOMKilled", "No space left on device", "x509: certificate has expired", "context deadline exceeded",
        "30s", "1h", "5m", "14d", "2w", "100ms", "512Mi", "1Gi",
        "2026-11-27T23:51:05.832Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59",
        "https://user:FUZZSECRET@example.com/hook",
    ];

    /// <summary>Hostile text; with <paramref name="loneSurrogates"/> false, no unpaired UTF-16 surrogate appears in it.</summary>
    public static Gen<string> Text(bool loneSurrogates = true)
    {
        var text = Gen.Frequency(
            (6, Gen.OneOf(Pieces).Array[1, 8].Select(string.Concat)),
            (3, Gen.String[0, 40]),
            (2, Gen.Char['a', 'z'].Array[1, 30].Select(chars => new string(chars))),
            (1, Gen.Select(Gen.OneOf(Pieces), Gen.Int[100, 70_000], (piece, count) => Repeat(piece, count))));
        return loneSurrogates ? text : text.Select(WithoutLoneSurrogates);
    }

    /// <summary>A long run of one piece, up to about <paramref name="length"/> characters.</summary>
    public static string Repeat(string piece, int length) =>
        string.Concat(Enumerable.Repeat(piece, Math.Max(1, length / Math.Max(1, piece.Length))));

    public static string WithoutLoneSurrogates(string text)
    {
        var characters = text.ToCharArray();
        for (var i = 0; i < characters.Length; i++)
        {
            if (char.IsHighSurrogate(characters[i]) && i + 1 < characters.Length && char.IsLowSurrogate(characters[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(characters[i]))
            {
                characters[i] = '?';
            }
        }

        return new string(characters);
    }

    public static bool HasLoneSurrogate(string text) => WithoutLoneSurrogates(text) != text;
}

using System.Globalization;
using System.Text;
using Homeostat.Remediation;

namespace Homeostat.Host.Actions;

/// <summary>Renders untrusted text for summaries and the audit trail: quoted, escaped, bounded.</summary>
internal static class HostText
{
    public const int OutputLimit = 4096;

    /// <summary>A value as a double-quoted string with control characters, quotes and backslashes escaped.</summary>
    public static string Quote(string value, int maxLength = int.MaxValue)
    {
        var builder = new StringBuilder(Math.Min(value.Length, maxLength) + 2).Append('"');
        var length = Math.Min(value.Length, maxLength);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || c is '\u2028' or '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
        if (value.Length > maxLength)
        {
            builder.Append(CultureInfo.InvariantCulture, $"… ({value.Length} characters)");
        }

        return builder.ToString();
    }

    /// <summary>An argument vector exactly as it is passed to execve, one quoted entry per argument.</summary>
    public static string Argv(IEnumerable<string> argv) => "[" + string.Join(", ", argv.Select(a => Quote(a))) + "]";

    /// <summary>Captured process output: at most <see cref="OutputLimit"/> bytes, control characters other than newline and tab removed.</summary>
    public static string CleanOutput(ReadOnlySpan<byte> kept, long total)
    {
        var text = Encoding.UTF8.GetString(kept);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\n' or '\t' || !(char.IsControl(c) || c is '\u2028' or '\u2029'))
            {
                builder.Append(c);
            }
        }

        var cleaned = builder.ToString().TrimEnd();
        return total > kept.Length ? cleaned + $"… [truncated: {total} bytes in all]" : cleaned;
    }
}

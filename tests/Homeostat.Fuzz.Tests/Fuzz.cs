using System.Globalization;
using System.Text;
using CsCheck;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// How long every property runs. CI runs a bounded sample (a few seconds for the whole project); the long run sets
/// <c>HOMEOSTAT_FUZZ_ITERATIONS</c> or <c>HOMEOSTAT_FUZZ_SECONDS</c>. A failure prints CsCheck's seed;
/// <c>HOMEOSTAT_FUZZ_SEED</c> replays it as the first case.
/// </summary>
internal static class Fuzz
{
    public const string IterationsVariable = "HOMEOSTAT_FUZZ_ITERATIONS";
    public const string SecondsVariable = "HOMEOSTAT_FUZZ_SECONDS";
    public const string SeedVariable = "HOMEOSTAT_FUZZ_SEED";
    public const string ThreadsVariable = "HOMEOSTAT_FUZZ_THREADS";

    /// <summary>Iterations of a property of cost 1 in the bounded (CI) run.</summary>
    public const int DefaultIterations = 500;

    /// <summary>
    /// Samples <paramref name="gen"/> and checks <paramref name="property"/> on each case. <paramref name="cost"/> says
    /// how many cheap cases one case is worth (a whole start-up check, an HTTP round trip), so the iteration budget is
    /// spread by time rather than by count.
    /// </summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, int cost = 1, Func<T, string>? print = null)
    {
        var (seed, iterations, seconds, threads) = Budget(cost);
        gen.Sample(property, seed: seed, iter: iterations, time: seconds, threads: threads, print: print ?? (value => Show(value)));
    }

    /// <inheritdoc cref="Check{T}(Gen{T}, Action{T}, int, Func{T, string}?)"/>
    public static Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, int cost = 1, Func<T, string>? print = null)
    {
        var (seed, iterations, seconds, threads) = Budget(cost);
        return gen.SampleAsync(property, seed: seed, iter: iterations, time: seconds, threads: threads, print: print ?? (value => Show(value)));
    }

    private static (string? Seed, long Iterations, int Seconds, int Threads) Budget(int cost)
    {
        var seconds = Number(SecondsVariable);
        var iterations = Math.Max(1, (Number(IterationsVariable) ?? DefaultIterations) / cost);
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given ? given : null;
        return (seed, seconds is null ? iterations : -1, seconds ?? -1, Number(ThreadsVariable) ?? 1);
    }

    /// <summary>A case as C# source text, every character that is not printable ASCII escaped, so it can be pasted into a regression test.</summary>
    public static string Show(object? value)
    {
        if (value is not string text)
        {
            return value?.ToString() ?? "null";
        }

        var builder = new StringBuilder("\"");
        foreach (var character in text)
        {
            builder.Append(character switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                >= ' ' and <= '~' => character.ToString(),
                _ => $"\\u{(int)character:x4}",
            });
        }

        return builder.Append('"').ToString();
    }

    private static int? Number(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}

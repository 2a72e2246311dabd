using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CsCheck;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// How long every property runs. CI runs a bounded sample (a few seconds for the whole project) on fixed seeds, derived
/// from the property's name, so the same cases run every time and CI never flakes. The long run sets
/// <c>HOMEOSTAT_FUZZ_ITERATIONS</c> or <c>HOMEOSTAT_FUZZ_SECONDS</c> and draws random seeds. A failure prints CsCheck's
/// seed either way; <c>HOMEOSTAT_FUZZ_SEED</c> replays it as the first case.
/// </summary>
internal static class Fuzz
{
    public const string IterationsVariable = "HOMEOSTAT_FUZZ_ITERATIONS";
    public const string SecondsVariable = "HOMEOSTAT_FUZZ_SECONDS";
    public const string SeedVariable = "HOMEOSTAT_FUZZ_SEED";
    public const string ThreadsVariable = "HOMEOSTAT_FUZZ_THREADS";
    public const string LogVariable = "HOMEOSTAT_FUZZ_LOG";

    /// <summary>Iterations of a property of cost 1 in the bounded (CI) run.</summary>
    public const int DefaultIterations = 500;

    /// <summary>
    /// Samples <paramref name="gen"/> and checks <paramref name="property"/> on each case. <paramref name="cost"/> says
    /// how many cheap cases one case is worth (a whole start-up check, an HTTP round trip), so the iteration budget is
    /// spread by time rather than by count.
    /// </summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, int cost = 1, Func<T, string>? print = null, [CallerMemberName] string name = "")
    {
        var budget = Budget(cost);
        print ??= value => Show(value);
        if (budget.Random)
        {
            var cases = 0L;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                gen.Sample(value => { Interlocked.Increment(ref cases); property(value); }, seed: budget.Seed, iter: budget.Iterations, time: budget.Seconds, threads: budget.Threads, print: print);
            }
            finally
            {
                Record(name, cases, clock.Elapsed);
            }

            return;
        }

        foreach (var seed in FixedSeeds(name, budget.Iterations))
        {
            gen.Sample(property, seed: seed, iter: 1, threads: 1, print: print);
        }
    }

    /// <inheritdoc cref="Check{T}(Gen{T}, Action{T}, int, Func{T, string}?, string)"/>
    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, int cost = 1, Func<T, string>? print = null, [CallerMemberName] string name = "")
    {
        var budget = Budget(cost);
        print ??= value => Show(value);
        if (budget.Random)
        {
            var cases = 0L;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await gen.SampleAsync(value => { Interlocked.Increment(ref cases); return property(value); }, seed: budget.Seed, iter: budget.Iterations, time: budget.Seconds, threads: budget.Threads, print: print);
            }
            finally
            {
                Record(name, cases, clock.Elapsed);
            }

            return;
        }

        foreach (var seed in FixedSeeds(name, budget.Iterations))
        {
            await gen.SampleAsync(property, seed: seed, iter: 1, threads: 1, print: print);
        }
    }

    /// <summary>
    /// The seeds of the bounded run: the same for a property every time, different between properties. Each is a whole
    /// CsCheck seed, so a failure prints one that <c>HOMEOSTAT_FUZZ_SEED</c> replays.
    /// </summary>
    public static IEnumerable<string> FixedSeeds(string property, long count)
    {
        var root = new PCG(FixedStream, StableHash(property));
        for (var index = 0L; index < count; index++)
        {
            yield return new PCG(FixedStream, root.Next64()).ToString();
        }
    }

    private const uint FixedStream = 17;

    private sealed record RunBudget(bool Random, string? Seed, long Iterations, int Seconds, int Threads);

    /// <summary>
    /// Random seeds only when the long run is asked for (iterations or seconds set) or a seed is replayed; the bounded
    /// run is the fixed one.
    /// </summary>
    private static RunBudget Budget(int cost)
    {
        var seconds = Number(SecondsVariable);
        var givenIterations = Number(IterationsVariable);
        var iterations = Math.Max(1, (givenIterations ?? DefaultIterations) / cost);
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given ? given : null;
        var random = seconds is not null || givenIterations is not null || seed is not null;
        return new RunBudget(random, seed, seconds is null ? iterations : -1, seconds ?? -1, Number(ThreadsVariable) ?? 1);
    }

    /// <summary>With <c>HOMEOSTAT_FUZZ_LOG</c> set, the long run appends one line per property: its name, the cases it ran and for how long.</summary>
    private static void Record(string property, long cases, TimeSpan elapsed)
    {
        if (Environment.GetEnvironmentVariable(LogVariable) is { Length: > 0 } path)
        {
            File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture, $"{property}\t{cases}\t{elapsed.TotalSeconds:F1}\n"));
        }
    }

    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var character in text)
        {
            hash = (hash ^ character) * 1099511628211UL;
        }

        return hash;
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

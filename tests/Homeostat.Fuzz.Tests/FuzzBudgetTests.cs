using System.Collections.Concurrent;
using CsCheck;

namespace Homeostat.Fuzz.Tests;

/// <summary>The bounded run CI makes draws the same cases every time, so a CI failure is a real one and replays.</summary>
public sealed class FuzzBudgetTests
{
    [Fact]
    public void BoundedRun_SameProperty_SeesTheSameCasesEveryTime()
    {
        if (Environment.GetEnvironmentVariable(Fuzz.IterationsVariable) is { Length: > 0 }
            || Environment.GetEnvironmentVariable(Fuzz.SecondsVariable) is { Length: > 0 }
            || Environment.GetEnvironmentVariable(Fuzz.SeedVariable) is { Length: > 0 })
        {
            return; // the long run draws random seeds by design
        }

        var first = Cases();
        var second = Cases();

        first.Count.ShouldBe(Fuzz.DefaultIterations);
        second.ShouldBe(first);
        first.Distinct().Count().ShouldBeGreaterThan(Fuzz.DefaultIterations * 9 / 10, "the fixed seeds should still spread the cases");
    }

    [Fact]
    public void FixedSeeds_DependOnThePropertyName()
    {
        Fuzz.FixedSeeds("A", 5).ShouldBe(Fuzz.FixedSeeds("A", 5).ToList());
        Fuzz.FixedSeeds("A", 5).ShouldNotBe(Fuzz.FixedSeeds("B", 5).ToList());
        Fuzz.FixedSeeds("A", 5).Distinct().Count().ShouldBe(5);
    }

    private static List<long> Cases()
    {
        var seen = new ConcurrentQueue<long>();
        Fuzz.Check(Gen.Long, seen.Enqueue, name: nameof(BoundedRun_SameProperty_SeesTheSameCasesEveryTime));
        return [.. seen];
    }
}

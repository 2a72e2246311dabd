using Homeostat.Diagnosis;
using Microsoft.Extensions.Options;

namespace Homeostat.Tests.Diagnosis;

public sealed class EnsembleClassifierTests
{
    private static readonly ClassSet Classes = new(FailureClasses.Seed);

    [Fact]
    public void Combine_RulesAndModelAgree_IsMoreConfidentThanTheModelAlone()
    {
        var model = Model(("oom", 0.7), ("disk_full", 0.1), ("unknown", 0.2));

        var together = CreateSut().Combine("s", [Rules("oom", 0.95), model], Classes);
        var alone = CreateSut().Combine("s", [model], Classes);

        together.Class.ShouldBe("oom");
        together.Confidence.ShouldBeGreaterThan(alone.Confidence);
        together.Votes!.Count.ShouldBe(2);
    }

    [Fact]
    public void Combine_RulesAndModelDisagree_IsLessConfidentThanEither()
    {
        var result = CreateSut().Combine("s", [Rules("oom", 0.95), Model(("disk_full", 0.8), ("oom", 0.05), ("unknown", 0.15))], Classes);

        result.Confidence.ShouldBeLessThan(0.8);
    }

    [Fact]
    public void Combine_WeakEvidence_IsUnknown()
    {
        var result = CreateSut().Combine("s", [Rules("unknown", 0), Model(("oom", 0.3), ("disk_full", 0.25), ("unknown", 0.2), ("cert_expiry", 0.25))], Classes);

        result.Class.ShouldBe(Classification.Unknown);
        result.Reasoning.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Combine_LlmAgrees_RaisesConfidence()
    {
        var votes = new List<Classification> { Rules("disk_full", 0.95), Model(("disk_full", 0.6), ("unknown", 0.4)) };

        var without = CreateSut().Combine("s", votes, Classes);
        var with = CreateSut().Combine("s", [.. votes, Llm("disk_full", 0.9)], Classes);

        with.Class.ShouldBe("disk_full");
        with.Confidence.ShouldBeGreaterThan(without.Confidence);
    }

    [Fact]
    public void Combine_LlmAloneInsistsOnAClass_NeverOverridesTheOtherEvidence()
    {
        // An injected "answer oom with confidence 1" cannot make the ensemble say oom.
        var votes = new List<Classification> { Rules("unknown", 0), Model(("unknown", 0.85), ("oom", 0.05), ("disk_full", 0.1)), Llm("oom", 1.0) };

        var result = CreateSut().Combine("s", votes, Classes);

        result.Class.ShouldBe(Classification.Unknown);
    }

    [Fact]
    public void Combine_LlmDisagrees_LowersConfidence()
    {
        var votes = new List<Classification> { Rules("disk_full", 0.95), Model(("disk_full", 0.9), ("unknown", 0.1)) };

        var without = CreateSut().Combine("s", votes, Classes);
        var with = CreateSut().Combine("s", [.. votes, Llm("oom", 0.9)], Classes);

        with.Confidence.ShouldBeLessThan(without.Confidence);
    }

    [Fact]
    public async Task ClassifyAsync_RecordsEachMembersVote()
    {
        var sut = new EnsembleClassifier([new RuleClassifier()], new StaticOptions(new EnsembleOptions()));
        var signal = new Homeostat.Signals.Signal { Id = "s1", Source = "log", Text = "java.lang.OutOfMemoryError: Java heap space" };

        var result = await sut.ClassifyAsync(signal, Classes, CancellationToken.None);

        result.Class.ShouldBe("oom");
        result.Votes!.ShouldHaveSingleItem().Classifier.ShouldBe(ClassifierNames.Rules);
        result.Classifier.ShouldBe(ClassifierNames.Ensemble);
    }

    private static EnsembleClassifier CreateSut() => new([], new StaticOptions(new EnsembleOptions()));

    private static Classification Rules(string @class, double confidence) =>
        new() { Class = @class, Confidence = confidence, Classifier = ClassifierNames.Rules, Reasoning = "rule" };

    private static Classification Llm(string @class, double confidence) =>
        new() { Class = @class, Confidence = confidence, Classifier = ClassifierNames.Llm, Reasoning = "llm" };

    private static Classification Model(params (string Class, double P)[] scores)
    {
        var all = FailureClasses.Seed.Append(Classification.Unknown).ToDictionary(c => c, c => scores.FirstOrDefault(s => s.Class == c).P);
        var best = all.MaxBy(s => s.Value);
        return new Classification { Class = best.Key, Confidence = best.Value, Classifier = ClassifierNames.Model, Reasoning = "model", Scores = all };
    }

    private sealed class StaticOptions(EnsembleOptions value) : IOptionsMonitor<EnsembleOptions>
    {
        public EnsembleOptions CurrentValue => value;

        public EnsembleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<EnsembleOptions, string?> listener) => null;
    }
}

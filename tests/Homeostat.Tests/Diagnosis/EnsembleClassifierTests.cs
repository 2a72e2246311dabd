using Homeostat.Diagnosis;
using Homeostat.TestKit;

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
    public void Combine_LlmAgrees_DoesNotRaiseConfidence()
    {
        var votes = new List<Classification> { Rules("disk_full", 0.95), Model(("disk_full", 0.6), ("unknown", 0.4)) };

        var without = CreateSut().Combine("s", votes, Classes);
        var with = CreateSut().Combine("s", [.. votes, Llm("disk_full", 0.9)], Classes);

        with.Class.ShouldBe("disk_full");
        with.Confidence.ShouldBe(without.Confidence);
        with.Reasoning.ShouldContain("the LLM agrees");
    }

    [Fact]
    public void Combine_LlmVoteFromASignalWithInstructions_LowersConfidenceEvenWhenItAgrees()
    {
        var votes = new List<Classification> { Rules("oom", 0.95), Model(("oom", 0.5), ("unknown", 0.5)) };
        var manipulated = Llm("oom", 0.5) with { Evidence = ["signal text contains instruction-like content; confidence capped"] };

        var without = CreateSut().Combine("s", votes, Classes);
        var with = CreateSut().Combine("s", [.. votes, manipulated], Classes);

        with.Confidence.ShouldBeLessThan(without.Confidence);
    }

    [Fact]
    public void Combine_FailedLlm_ChangesNothing()
    {
        var votes = new List<Classification> { Rules("oom", 0.95), Model(("oom", 0.7), ("unknown", 0.3)) };

        var without = CreateSut().Combine("s", votes, Classes);
        var with = CreateSut().Combine("s", [.. votes, Classification.UnknownFrom(ClassifierNames.Llm, "HTTP 500")], Classes);

        with.Confidence.ShouldBe(without.Confidence);
    }

    [Fact]
    public void Combine_WithoutTheModel_KeepsTheRulesOwnConfidence()
    {
        // Loose certificate wording is scored below the 0.90 floor by the rules on purpose; no model must not lift it to 1.
        var result = CreateSut().Combine("s", [Rules("cert_expiry", 0.88)], Classes);

        result.Class.ShouldBe("cert_expiry");
        result.Confidence.ShouldBe(0.88);
    }

    [Fact]
    public void Combine_ModelAloneVeryConfident_StaysBelowTheAutomaticFloors()
    {
        var result = CreateSut().Combine("s", [Rules("unknown", 0), Model(("oom", 0.99), ("unknown", 0.01))], Classes);

        result.Class.ShouldBe("oom");
        result.Confidence.ShouldBeLessThanOrEqualTo(new EnsembleOptions().UnconfirmedCeiling);
    }

    [Fact]
    public async Task ClassifyAsync_AMemberThrows_TheOthersStillDecide()
    {
        var sut = new EnsembleClassifier([new RuleClassifier(), new ThrowingMember()], new StaticOptionsMonitor<EnsembleOptions>(new EnsembleOptions()));
        var signal = new Homeostat.Signals.Signal { Id = "s1", Source = "log", Text = "java.lang.OutOfMemoryError: Java heap space" };

        var result = await sut.ClassifyAsync(signal, Classes, CancellationToken.None);

        result.Class.ShouldBe("oom");
        result.Votes!.ShouldContain(v => v.Classifier == ClassifierNames.Model && v.Reasoning.Contains("model failed"));
    }

    [Fact]
    public void Validator_CeilingAtOrAboveAnAutomaticFloor_IsRejected()
    {
        var loader = new Homeostat.Catalog.CatalogLoader(new Homeostat.Remediation.ActionRegistry(Homeostat.Remediation.KnownActions.Placeholders().Append(new Homeostat.Remediation.UnavailableAction(Homeostat.Remediation.KnownActions.RotateAndCompressLogs))));
        var catalog = new Homeostat.Catalog.CatalogProvider(loader.LoadBuiltIn().Catalog!);
        var validator = new EnsembleOptionsValidator(catalog);

        var tooHigh = validator.Validate(null, new EnsembleOptions { UnconfirmedCeiling = 0.85 });
        var outOfRange = validator.Validate(null, new EnsembleOptions { LlmInfluence = 3, MinimumConfidence = -1 });
        var fine = validator.Validate(null, new EnsembleOptions());

        tooHigh.Failed.ShouldBeTrue();
        tooHigh.FailureMessage.ShouldContain("lowest automatic confidence_floor in the catalog (0.8)");
        outOfRange.Failures!.Count().ShouldBe(2);
        fine.Succeeded.ShouldBeTrue();
    }

    private sealed class ThrowingMember : IClassifierMember
    {
        public string Name => ClassifierNames.Model;

        public ValueTask<Classification> ClassifyAsync(Homeostat.Signals.Signal signal, ClassSet classes, CancellationToken cancellationToken) =>
            throw new InvalidDataException("model file corrupt");
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
        var sut = new EnsembleClassifier([new RuleClassifier()], new StaticOptionsMonitor<EnsembleOptions>(new EnsembleOptions()));
        var signal = new Homeostat.Signals.Signal { Id = "s1", Source = "log", Text = "java.lang.OutOfMemoryError: Java heap space" };

        var result = await sut.ClassifyAsync(signal, Classes, CancellationToken.None);

        result.Class.ShouldBe("oom");
        result.Votes!.ShouldHaveSingleItem().Classifier.ShouldBe(ClassifierNames.Rules);
        result.Classifier.ShouldBe(ClassifierNames.Ensemble);
    }

    [Fact]
    public void Combine_ASuggestiveRuleMatch_StaysBelowTheAutomaticFloorsEvenWhenTheModelAgrees()
    {
        var result = CreateSut().Combine("s", [Rules("oom", RuleClassifier.SuggestiveConfidence), Model(("oom", 0.99), ("unknown", 0.01))], Classes);

        result.Class.ShouldBe("oom");
        result.Confidence.ShouldBe(new EnsembleOptions().UnconfirmedCeiling);
    }

    [Fact]
    public void Combine_RulesThatShowAnotherFault_OutweighAModelThatNamesAClass()
    {
        var model = Model(("oom", 0.75), ("unknown", 0.25));

        var shown = CreateSut().Combine("s", [Classification.UnknownFrom(ClassifierNames.Rules, "absent(...)", 0.95), model], Classes);
        var silent = CreateSut().Combine("s", [Classification.UnknownFrom(ClassifierNames.Rules, "no rule matched"), model], Classes);

        shown.Class.ShouldBe(Classification.Unknown);
        silent.Class.ShouldBe("oom");
    }

    private static EnsembleClassifier CreateSut() => new([], new StaticOptionsMonitor<EnsembleOptions>(new EnsembleOptions()));

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
}

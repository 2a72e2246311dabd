using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Tests.Diagnosis;

public sealed class DeclaredClassifierTests
{
    private const string Source = "catalog.yaml";

    /// <summary>Line 4: crashloop's first set; line 5: its second; line 11: disk_full's own set.</summary>
    private const string Catalog = """
        classes:
          crashloop:
            match:
              - ['alertname="KubePodCrashLooping"']
              - ['alertname=~"Payments.*SpaceLow"', 'team="payments"']
          batch_stuck:
        remediations:
          disk_full:
            action: rotate_and_compress_logs
            confidence_floor: 0.80
            match: [ ['alertname="AppLogsFillingDisk"'] ]
          oom:
            action: scale_memory_limit
            max_increase: 512Mi
            confidence_floor: 0.85
        """;

    private static (DeclaredClassifier Classifier, ClassSet Classes) Build(string yaml = Catalog)
    {
        var loaded = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs)))).Load(yaml, Source);
        loaded.Errors.ShouldBeEmpty(string.Join("\n", loaded.Errors));
        var provider = new CatalogProvider(loaded.Catalog!);
        return (new DeclaredClassifier(new RuleClassifier(), provider), provider.ClassSet);
    }

    private static async Task<Classification> ClassifyAsync(Signal signal, string yaml = Catalog)
    {
        var (classifier, classes) = Build(yaml);
        return classes.Constrain(await classifier.ClassifyAsync(signal, classes, CancellationToken.None));
    }

    private static Signal Alert(string? title = null, string? text = null, string source = SignalSources.Alertmanager, params (string Name, string Value)[] labels) => new()
    {
        Id = "sig-1",
        Source = source,
        Service = "shop",
        Title = title,
        Text = text,
        Labels = labels.ToDictionary(l => l.Name, l => l.Value),
    };

    [Fact]
    public async Task Classify_OneMatcherSetHolds_IsThatClassWithFullConfidenceCitingFileAndLine()
    {
        var result = await ClassifyAsync(Alert(labels: ("alertname", "KubePodCrashLooping")));

        result.Class.ShouldBe("crashloop");
        result.Confidence.ShouldBe(1.0);
        result.Classifier.ShouldBe(DeclaredClassifier.DeclaredName);
        result.Reasoning.ShouldBe("declared by catalog.yaml:4 alertname=\"KubePodCrashLooping\"");
        result.Evidence.ShouldBe(["catalog.yaml:4 alertname=\"KubePodCrashLooping\""]);
        result.Id.ShouldBe("sig-1");
    }

    [Fact]
    public async Task Classify_SetMatchersAreAnded_AndSetsAreOred()
    {
        var both = await ClassifyAsync(Alert(labels: [("alertname", "PaymentsDbSpaceLow"), ("team", "payments")]));
        var wrongTeam = await ClassifyAsync(Alert(labels: [("alertname", "PaymentsDbSpaceLow"), ("team", "search")]));
        var noTeam = await ClassifyAsync(Alert(labels: ("alertname", "PaymentsDbSpaceLow")));

        both.Class.ShouldBe("crashloop");
        both.Reasoning.ShouldContain("catalog.yaml:5 alertname=~\"Payments.*SpaceLow\", team=\"payments\"");
        wrongTeam.Classifier.ShouldNotBe(DeclaredClassifier.DeclaredName);
        noTeam.Classifier.ShouldNotBe(DeclaredClassifier.DeclaredName);
    }

    [Fact]
    public async Task Classify_MatchOnARemediation_DeclaresItsClass()
    {
        // The rules alone call this alert unknown ("no rule matched"): the declaration is what names it.
        var signal = Alert(title: "AppLogsFillingDisk", labels: ("alertname", "AppLogsFillingDisk"));
        new RuleClassifier().Classify(signal, new ClassSet(FailureClasses.Seed)).IsUnknown.ShouldBeTrue();

        var result = await ClassifyAsync(signal);

        (result.Class, result.Confidence, result.Classifier).ShouldBe(("disk_full", 1.0, "declared"));
        result.Reasoning.ShouldContain("catalog.yaml:11");
    }

    [Fact]
    public async Task Classify_DeclarationAndRulesDisagree_TheDeclarationWins()
    {
        var yaml = Catalog.Replace("alertname=\"KubePodCrashLooping\"", "alertname=\"KubeContainerOOMKilled\"", StringComparison.Ordinal);
        var signal = SignalBuilder.Oom();
        new RuleClassifier().Classify(signal, new ClassSet(FailureClasses.Seed)).Class.ShouldBe(FailureClasses.Oom);

        var result = await ClassifyAsync(signal, yaml);

        (result.Class, result.Classifier).ShouldBe(("crashloop", "declared"));
    }

    [Theory]
    [InlineData("__title__=~\".*CrashLoop.*\"", "PodCrashLoopDetected", "", SignalSources.Alertmanager)]
    [InlineData("__text__=~\".*Back-off restarting failed container.*\"", "", "Warning BackOff: Back-off restarting failed container app", SignalSources.Kubernetes)]
    [InlineData("__source__=\"kubernetes\"", "", "anything", SignalSources.Kubernetes)]
    public async Task Classify_PseudoLabels_ReadTitleTextAndSource(string matcher, string title, string text, string source)
    {
        var yaml = $"classes:\n  crashloop:\n    match: [ ['{matcher}'] ]\nremediations: {{}}\n";

        var hit = await ClassifyAsync(Alert(title, text, source), yaml);
        var miss = await ClassifyAsync(Alert("Other", "other", SignalSources.Api), yaml);

        hit.Class.ShouldBe("crashloop");
        miss.Class.ShouldNotBe("crashloop");
    }

    [Fact]
    public async Task Classify_TwoClassesDeclareTheSignal_IsUnknownAndAmbiguousNamingBoth()
    {
        var yaml = Catalog.Replace("match: [ ['alertname=\"AppLogsFillingDisk\"'] ]", "match: [ ['team=\"payments\"'] ]", StringComparison.Ordinal);

        var result = await ClassifyAsync(Alert(labels: [("alertname", "PaymentsDbSpaceLow"), ("team", "payments")]), yaml);

        result.IsUnknown.ShouldBeTrue();
        result.Classifier.ShouldBe("declared");
        result.EscalationReason.ShouldBe(EscalationReasons.AmbiguousDeclaration);
        result.Reasoning.ShouldStartWith("ambiguous_declaration: classes crashloop and disk_full both declare this signal");
        result.Reasoning.ShouldContain("crashloop: catalog.yaml:5");
        result.Reasoning.ShouldContain("disk_full: catalog.yaml:11 team=\"payments\"");
    }

    [Fact]
    public async Task Classify_ClassLabelNamesACatalogClass_IsThatClass()
    {
        var result = await ClassifyAsync(Alert("HighCpuUsage", "CPU above 95%", labels: ("homeostat_class", "batch_stuck")));

        (result.Class, result.Confidence, result.Classifier).ShouldBe(("batch_stuck", 1.0, DeclaredClassifier.ClassLabelName));
        result.Reasoning.ShouldContain("homeostat_class=\"batch_stuck\"");
    }

    [Fact]
    public async Task Classify_ClassLabelNamesABuiltInClass_IsThatClass()
    {
        var result = await ClassifyAsync(Alert("HighCpuUsage", "CPU above 95%", labels: ("homeostat_class", FailureClasses.ConnectionPoolExhausted)));

        (result.Class, result.Confidence).ShouldBe((FailureClasses.ConnectionPoolExhausted, 1.0));
    }

    [Fact]
    public async Task Classify_ClassLabelNamesNoKnownClass_IsIgnoredAndNoted()
    {
        var result = await ClassifyAsync(Alert("HighCpuUsage", "CPU above 95%", labels: ("homeostat_class", "reboot_everything\u001b[2J")));

        result.IsUnknown.ShouldBeTrue();
        result.Classifier.ShouldBe("rules");
        result.Reasoning.ShouldEndWith("the label homeostat_class=\"reboot_everything\\u001b[2J\" names no class of the catalog and is ignored");
    }

    [Fact]
    public async Task Classify_ClassLabelBesideADeclaration_TheDeclarationWins()
    {
        var result = await ClassifyAsync(Alert(labels: [("alertname", "KubePodCrashLooping"), ("homeostat_class", "oom")]));

        (result.Class, result.Classifier).ShouldBe(("crashloop", "declared"));
        result.Reasoning.ShouldEndWith("it overrules the label homeostat_class=\"oom\"");
    }

    [Fact]
    public async Task Classify_ClassLabelWithAnotherNameOrTurnedOff_FollowsTheCatalog()
    {
        var renamed = await ClassifyAsync(Alert(labels: [("route_class", "oom"), ("homeostat_class", "batch_stuck")]), "class_label: route_class\n" + Catalog);
        var off = await ClassifyAsync(Alert(labels: ("homeostat_class", "oom")), "class_label: ''\n" + Catalog);

        renamed.Class.ShouldBe(FailureClasses.Oom);
        off.IsUnknown.ShouldBeTrue();
        off.Reasoning.ShouldNotContain("homeostat_class");
    }

    [Fact]
    public async Task Classify_NothingDeclared_TheWrappedClassifierDecides()
    {
        var result = await ClassifyAsync(SignalBuilder.DiskFull());

        (result.Class, result.Classifier).ShouldBe((FailureClasses.DiskFull, "rules"));
    }

    [Fact]
    public async Task Classify_TheCatalogIsReplaced_TheNewDeclarationsApplyAtOnce()
    {
        var first = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs)))).Load(Catalog, Source).Catalog!;
        var second = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))))
            .Load(Catalog.Replace("KubePodCrashLooping", "KubePodNotReady", StringComparison.Ordinal), Source).Catalog!;
        var provider = new SwappableCatalog(first);
        var classifier = new DeclaredClassifier(new RuleClassifier(), provider);
        var classes = new CatalogProvider(first).ClassSet;
        var signal = Alert(labels: ("alertname", "KubePodNotReady"));

        var before = await classifier.ClassifyAsync(signal, classes, CancellationToken.None);
        provider.Current = second;
        var after = await classifier.ClassifyAsync(signal, classes, CancellationToken.None);

        before.Class.ShouldNotBe("crashloop");
        after.Class.ShouldBe("crashloop");
    }

    private sealed class SwappableCatalog(RemediationCatalog catalog) : ICatalogProvider
    {
        public RemediationCatalog Current { get; set; } = catalog;
    }
}

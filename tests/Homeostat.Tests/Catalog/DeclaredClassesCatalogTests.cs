using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Remediation;

namespace Homeostat.Tests.Catalog;

public sealed class DeclaredClassesCatalogTests
{
    private const string Source = "catalog.yaml";

    private const string Remediations = """
        remediations:
          disk_full:
            action: rotate_and_compress_logs
            confidence_floor: 0.80
            auto: true
        """;

    private static CatalogLoadResult Load(string yaml) =>
        new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs)))).Load(yaml, Source);

    private static RemediationCatalog Valid(string yaml)
    {
        var result = Load(yaml);
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        return result.Catalog.ShouldNotBeNull();
    }

    private static CatalogError SingleError(string yaml)
    {
        var result = Load(yaml);
        result.Catalog.ShouldBeNull();
        return result.Errors.ShouldHaveSingleItem(string.Join("\n", result.Errors));
    }

    [Fact]
    public void Load_SeedCatalog_DeclaresNothingAndUsesTheDefaultClassLabel()
    {
        var catalog = Valid(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "seed-catalog.yaml")));

        catalog.Declarations.Sets.ShouldBeEmpty();
        catalog.Declarations.Classes.ShouldBeEmpty();
        catalog.Declarations.ClassLabel.ShouldBe("homeostat_class");
        catalog.Remediations.Values.ShouldAllBe(r => r.DeclaredMatch == null);
    }

    [Fact]
    public void Load_ClassesAndRemediationMatch_KeepEverySetWithItsLine()
    {
        var catalog = Valid($"""
            classes:
              crashloop:
                description: a pod restarting over and over
                match:
                  - ['alertname="KubePodCrashLooping"']
                  - ['alertname=~"Payments.*SpaceLow"', 'team="payments"']
              batch_stuck:
            {Remediations}
                match: [ ['alertname="AppLogsFillingDisk"'] ]
            """);

        catalog.Declarations.Classes.Keys.Order(StringComparer.Ordinal).ShouldBe(["batch_stuck", "crashloop"]);
        catalog.Declarations.Classes["crashloop"].Description.ShouldBe("a pod restarting over and over");
        catalog.Declarations.Sets.Select(s => (s.Class, s.Location.Line, s.Text)).ShouldBe(
        [
            ("crashloop", 5, "alertname=\"KubePodCrashLooping\""),
            ("crashloop", 6, "alertname=~\"Payments.*SpaceLow\", team=\"payments\""),
            ("disk_full", 13, "alertname=\"AppLogsFillingDisk\""),
        ]);
        catalog.Declarations.Sets[2].Citation.ShouldBe("catalog.yaml:13 alertname=\"AppLogsFillingDisk\"");
        catalog.Classes.Order(StringComparer.Ordinal).ShouldBe(["batch_stuck", "crashloop", "disk_full"]);
    }

    [Fact]
    public void CatalogProvider_DeclaredClasses_JoinTheClosedList()
    {
        var catalog = Valid($"""
            classes:
              crashloop:
                match: [ ['alertname="KubePodCrashLooping"'] ]
            {Remediations}
            """);

        var classes = new CatalogProvider(catalog).ClassSet;

        classes.Contains("crashloop").ShouldBeTrue();
        classes.Contains(FailureClasses.Oom).ShouldBeTrue();
        classes.Contains(Classification.Unknown).ShouldBeTrue();
    }

    [Fact]
    public void Load_MatchOnARemediation_ChangesItsSpecHashSoANewShadowPeriodStarts()
    {
        var plain = Valid(Remediations).Find("disk_full")!;
        var declared = Valid(Remediations + "\n    match: [ ['alertname=\"AppLogsFillingDisk\"'] ]").Find("disk_full")!;
        var reordered = Valid(Remediations + "\n    match: [ ['team=\"a\"', 'alertname=\"B\"'] ]").Find("disk_full")!;
        var sameSet = Valid(Remediations + "\n    match: [ ['alertname=\"B\"', 'team=\"a\"'] ]").Find("disk_full")!;

        declared.SpecHash.ShouldNotBe(plain.SpecHash);
        reordered.SpecHash.ShouldBe(sameSet.SpecHash);
    }

    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("alert_class", "alert_class")]
    public void Load_ClassLabel_IsTakenOrTurnedOff(string written, string expected)
    {
        Valid($"class_label: {written}\n{Remediations}").Declarations.ClassLabel.ShouldBe(expected);
    }

    [Theory]
    [InlineData("'alertname=~\"(unclosed\"'", "classes.crashloop.match[0][0]", "is not a valid regular expression", 4, 10)]
    [InlineData("'__foo__=\"x\"'", "classes.crashloop.match[0][0]", "'__foo__' is not a known pseudo-label", 4, 10)]
    [InlineData("'alertname ~ \"x\"'", "classes.crashloop.match[0][0]", "expected an operator", 4, 10)]
    [InlineData("'alertname=\"x\"', 'alertname=\"x\"'", "classes.crashloop.match[0][1]", "is given twice in this set", 4, 27)]
    [InlineData("{ a: b }", "classes.crashloop.match[0][0]", "must be a matcher string", 4, 10)]
    public void Load_BadMatcher_IsALocatedError(string matchers, string key, string message, int line, int column)
    {
        var error = SingleError($"""
            classes:
              crashloop:
                match:
                  - [{matchers}]
            {Remediations}
            """);

        error.File.ShouldBe(Source);
        (error.Line, error.Column).ShouldBe((line, column));
        error.Key.ShouldBe(key);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Load_BadRegex_NamesTheFieldAndQuotesTheMatcher()
    {
        var error = SingleError(Remediations + "\n    match: [ ['alertname=~\"a(b\"'] ]");

        error.ToString().ShouldStartWith("catalog.yaml:6:15: remediations.disk_full.match[0][0]: is not a valid regular expression");
        error.Value.ShouldBe("'alertname=~\"a(b\"'");
    }

    [Fact]
    public void Load_SameSetTwiceInOneClass_IsAnErrorAtTheSecond()
    {
        var error = SingleError($"""
            classes:
              crashloop:
                match:
                  - ['alertname="A"', 'team="x"']
                  - ['team="x"', 'alertname="A"']
            {Remediations}
            """);

        (error.Line, error.Key).ShouldBe((5, "classes.crashloop.match[1]"));
        error.Message.ShouldBe("the same matcher set is given twice for 'crashloop' (first at catalog.yaml:4)");
    }

    [Fact]
    public void Load_SameSetInTwoClasses_IsAnErrorNamingBoth()
    {
        var error = SingleError($"""
            classes:
              crashloop:
                match: [ ['alertname="AppLogsFillingDisk"'] ]
            {Remediations}
                match: [ ['alertname="AppLogsFillingDisk"'] ]
            """);

        (error.Line, error.Key).ShouldBe((9, "remediations.disk_full.match[0]"));
        error.Message.ShouldContain("also declares class 'crashloop' at catalog.yaml:3");
        error.Message.ShouldContain("ambiguous");
    }

    [Theory]
    [InlineData("unknown", "'unknown' is what no class claims")]
    [InlineData("CrashLoop", "is not a valid class name")]
    [InlineData("9lives", "is not a valid class name")]
    public void Load_ClassNameThatCannotBeDeclared_IsALocatedError(string name, string message)
    {
        var error = SingleError($"""
            classes:
              {name}:
                match: [ ['alertname="X"'] ]
            {Remediations}
            """);

        (error.Line, error.Column, error.Key).ShouldBe((2, 3, $"classes.{name}"));
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Load_MisspeltMatchKey_SuggestsMatch()
    {
        var error = SingleError($"""
            classes:
              crashloop:
                mach: [ ['alertname="X"'] ]
            {Remediations}
            """);

        (error.Line, error.Key).ShouldBe((3, "classes.crashloop.mach"));
        error.Message.ShouldContain("did you mean 'match'");
    }

    [Fact]
    public void Load_MisspeltMatchOnARemediation_SuggestsMatch()
    {
        var error = SingleError(Remediations + "\n    mach: [ ['alertname=\"X\"'] ]");

        error.Key.ShouldBe("remediations.disk_full.mach");
        error.Message.ShouldContain("did you mean 'match'");
    }

    [Theory]
    [InlineData("match: ['alertname=\"X\"']", "classes.crashloop.match[0]", "must be a matcher set")]
    [InlineData("match: [ [] ]", "classes.crashloop.match[0]", "would match every signal")]
    [InlineData("match: []", "classes.crashloop.match", "non-empty list of matcher sets")]
    [InlineData("match: 'alertname=\"X\"'", "classes.crashloop.match", "non-empty list of matcher sets")]
    public void Load_MatchOfTheWrongShape_IsALocatedError(string match, string key, string message)
    {
        var error = SingleError($"""
            classes:
              crashloop:
                {match}
            {Remediations}
            """);

        (error.Line, error.Key).ShouldBe((3, key));
        error.Message.ShouldContain(message);
    }

    [Theory]
    [InlineData("classes: [crashloop]", "classes", "must be a mapping of class name")]
    [InlineData("classes:\n  crashloop: yes", "classes.crashloop", "must be a mapping with 'match'")]
    [InlineData("class_label: 'homeostat class'", "class_label", "must be a label name")]
    [InlineData("class_label: __class__", "class_label", "must be a label name")]
    [InlineData("clases: {}", "clases", "did you mean 'classes'")]
    public void Load_BadTopLevelDeclaration_IsALocatedError(string yaml, string key, string message)
    {
        var error = SingleError($"{yaml}\n{Remediations}");

        error.Key.ShouldBe(key);
        error.Message.ShouldContain(message);
        error.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Load_MatchNestedThousandsDeep_IsALocatedErrorNotAStackOverflow()
    {
        var error = SingleError(Remediations + "\n    match: " + new string('[', 20_000) + new string(']', 20_000));

        (error.Line, error.Column, error.Key).ShouldBe((6, 41, "yaml"));
        error.Message.ShouldBe("nests lists and mappings deeper than 32 levels");
    }
}

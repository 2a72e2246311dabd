using System.Diagnostics;
using Homeostat.Catalog;

namespace Homeostat.Tests.Catalog;

public sealed class LabelMatcherTests
{
    private static LabelMatcher Parse(string text)
    {
        LabelMatcher.TryParse(text, out var matcher, out var problem).ShouldBeTrue(problem);
        problem.ShouldBeNull();
        return matcher.ShouldNotBeNull();
    }

    private static string Problem(string text)
    {
        LabelMatcher.TryParse(text, out var matcher, out var problem).ShouldBeFalse();
        matcher.ShouldBeNull();
        return problem.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("alertname=\"DiskFull\"", "DiskFull", true)]
    [InlineData("alertname=\"DiskFull\"", "DiskFullSoon", false)]
    [InlineData("alertname=\"DiskFull\"", "diskfull", false)]
    [InlineData("alertname!=\"DiskFull\"", "DiskFull", false)]
    [InlineData("alertname!=\"DiskFull\"", "Other", true)]
    [InlineData("alertname=~\"Disk.*\"", "DiskFull", true)]
    [InlineData("alertname=~\"Disk.*\"", "NodeDiskFull", false)]
    [InlineData("alertname=~\"Disk\"", "DiskFull", false)]
    [InlineData("alertname!~\"Disk.*\"", "DiskFull", false)]
    [InlineData("alertname!~\"Disk.*\"", "NodeDiskFull", true)]
    [InlineData("alertname=~\"a|b\"", "b", true)]
    [InlineData("alertname=~\"a|b\"", "ab", false)]
    [InlineData("alertname=~\"(?i)diskfull\"", "DISKFULL", true)]
    [InlineData("instance=~\"host[:0-9]+\"", "host:9100", true)]
    public void Matches_EachOperator_ComparesTheWholeValue(string text, string value, bool expected)
    {
        Parse(text).Matches(value).ShouldBe(expected);
    }

    [Fact]
    public void Matches_RegexIsAnchoredAtTheVeryEnd_NotBeforeATrailingNewline()
    {
        var matcher = Parse("alertname=~\"Disk\"");

        matcher.Matches("Disk\n").ShouldBeFalse();
        matcher.Matches("Disk").ShouldBeTrue();
    }

    [Theory]
    [InlineData("team=\"\"", true)]
    [InlineData("team!=\"\"", false)]
    [InlineData("team=~\".*\"", true)]
    [InlineData("team=~\".+\"", false)]
    [InlineData("team!~\"payments\"", true)]
    [InlineData("team=\"payments\"", false)]
    public void Matches_MissingLabel_IsTheEmptyString(string text, bool expected)
    {
        Parse(text).Matches(null).ShouldBe(expected);
    }

    [Theory]
    [InlineData("""msg="say \"hi\"" """, "say \"hi\"")]
    [InlineData("""path="C:\\logs" """, "C:\\logs")]
    [InlineData("""text="a\nb\tc" """, "a\nb\tc")]
    [InlineData("""text="\u00e9\x41\U0001F600" """, "éA😀")]
    [InlineData("""  alertname  =  "Spaced"  """, "Spaced")]
    [InlineData("alertname=Unquoted", "Unquoted")]
    [InlineData("alertname=", "")]
    public void TryParse_QuotingAndEscapes_GiveTheUnquotedValue(string text, string value)
    {
        Parse(text).Value.ShouldBe(value);
    }

    [Fact]
    public void TryParse_RegexBackslashWrittenTwice_MatchesALiteralDot()
    {
        var matcher = Parse("""instance=~"db\\.internal" """);

        matcher.Value.ShouldBe("db\\.internal");
        matcher.Matches("db.internal").ShouldBeTrue();
        matcher.Matches("dbXinternal").ShouldBeFalse();
    }

    [Theory]
    [InlineData(LabelMatcher.TitleLabel)]
    [InlineData(LabelMatcher.TextLabel)]
    [InlineData(LabelMatcher.SourceLabel)]
    public void TryParse_KnownPseudoLabel_IsAccepted(string name)
    {
        Parse($"{name}=~\".*x.*\"").Name.ShouldBe(name);
    }

    [Fact]
    public void ToString_WritesTheCanonicalFormWithEscapes()
    {
        Parse("""msg  =~ "a\"b\\\\c" """).ToString().ShouldBe("""msg=~"a\"b\\\\c" """.TrimEnd());
        Parse("alertname!=X").ToString().ShouldBe("alertname!=\"X\"");
    }

    [Theory]
    [InlineData("__foo__=\"x\"", "'__foo__' is not a known pseudo-label")]
    [InlineData("__titel__=\"x\"", "did you mean '__title__'")]
    [InlineData("alertname==\"x\"", "unquoted value cannot hold '\"'")]
    [InlineData("alertname", "expected an operator")]
    [InlineData("alertname ~ \"x\"", "expected an operator")]
    [InlineData("=\"x\"", "expected a label name")]
    [InlineData("\"alertname\"=\"x\"", "without quotes")]
    [InlineData("alertname=\"x", "has no closing")]
    [InlineData("alertname=\"x\" junk", "unexpected text after the value")]
    [InlineData("alertname=\"x\", team=\"y\"", "one matcher per string")]
    [InlineData("alertname=\"a\\.b\"", "'\\.' at character 13 is not an escape")]
    [InlineData("alertname=\"\\uD800\"", "is not an escape")]
    [InlineData("alertname=~\"(unclosed\"", "is not a valid regular expression")]
    [InlineData("alertname=~\"a)|(b\"", "is not a valid regular expression")]
    [InlineData("alertname=~\"(a)\\\\1\"", "linear-time regex engine does not support")]
    [InlineData("alertname=~\"(?=a)a\"", "linear-time regex engine does not support")]
    [InlineData("alertname=~\"Disk[[:digit:]]+\"", "POSIX class such as [[:digit:]]")]
    public void TryParse_BadMatcher_SaysWhatIsWrong(string text, string expected)
    {
        Problem(text).ShouldContain(expected);
    }

    [Fact]
    public void Matches_HostileValueAgainstANestedQuantifier_FinishesInLinearTime()
    {
        // (a+)+$ backtracks exponentially on a backtracking engine; this value would hang one for years.
        var matcher = Parse("""text=~"(a+)+b" """);
        var hostile = new string('a', 50_000) + "c";

        var clock = Stopwatch.StartNew();
        var matched = matcher.Matches(hostile);

        matched.ShouldBeFalse();
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }
}

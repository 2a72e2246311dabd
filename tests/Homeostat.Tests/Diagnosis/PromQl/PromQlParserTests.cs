using Homeostat.Diagnosis.PromQl;

namespace Homeostat.Tests.Diagnosis.PromQl;

public sealed class PromQlParserTests
{
    [Fact]
    public void TryParse_ARatioAgainstALimit_ReadsMetricsMatchersRatioAndComparison()
    {
        var node = PromQlParser.TryParse("container_memory_working_set_bytes{container!=\"\", namespace=~\"shop|pay\"} / on(namespace, pod, container) kube_pod_container_resource_limits{resource=\"memory\"} > 0.9");

        var summary = PromQlSummary.Of(node.ShouldNotBeNull());
        summary.Selectors.Select(s => s.Metric).ShouldBe(["container_memory_working_set_bytes", "kube_pod_container_resource_limits"]);
        summary.Selectors[0].Matchers.ShouldBe([new LabelMatcher("container", "!=", ""), new LabelMatcher("namespace", "=~", "shop|pay")]);
        summary.Selectors[1].Matching("resource").ShouldBe("memory");
        summary.Ratios.ShouldHaveSingleItem().Denominator.ShouldBe(["kube_pod_container_resource_limits"]);
        var comparison = summary.Comparisons.ShouldHaveSingleItem();
        comparison.Operator.ShouldBe(">");
        comparison.Threshold.ShouldBe(0.9);
    }

    [Fact]
    public void TryParse_FunctionsAggregationsRangesAndOffsets_AreRead()
    {
        var node = PromQlParser.TryParse(
            "sum by (instance) (rate(http_client_request_duration_seconds_count{code=\"504\"}[5m] offset 1h)) / ignoring(code) group_left sum without (code) (rate(http_client_request_duration_seconds_count[5m])) > 0.05"
            + " and predict_linear(node_filesystem_avail_bytes[6h:1m], 4 * 3600) < 0 unless histogram_quantile(0.99, sum(rate(probe_duration_seconds_bucket[5m])) by (le)) @ 1700000000 > 1");

        var summary = PromQlSummary.Of(node.ShouldNotBeNull());
        summary.Functions.ShouldBe(["sum", "rate", "predict_linear", "histogram_quantile"], ignoreOrder: true);
        summary.Selectors.Count.ShouldBe(4);
        summary.Comparisons.Select(c => c.Threshold).ShouldBe([0.05, 0, 1], ignoreOrder: true);
    }

    [Theory]
    [InlineData("(probe_ssl_earliest_cert_expiry - time()) / 86400 < 14", 14)]
    [InlineData("certmanager_certificate_expiration_timestamp_seconds - time() < 21 * 24 * 3600", 1814400)]
    [InlineData("3 <= round((last_over_time(probe_ssl_earliest_cert_expiry[10m]) - time()) / 86400, 0.1) < 20", 20)]
    [InlineData("up == bool 0", 0)]
    [InlineData("-x > -1e3", -1000)]
    [InlineData("x > 0x10", 16)]
    public void TryParse_Comparisons_FoldTheirThreshold(string expression, double threshold)
    {
        var summary = PromQlSummary.Of(PromQlParser.TryParse(expression).ShouldNotBeNull());

        summary.Comparisons.First().Threshold.ShouldBe(threshold);
    }

    [Theory]
    [InlineData("{__name__=\"node_memory_MemAvailable_bytes\", job=\"node\"} < 1e8", "node_memory_MemAvailable_bytes")]
    [InlineData("{\"http.server.duration\", service=\"a\"} > 1", "http.server.duration")]
    [InlineData("# a comment\nup{job='node'} == 0", "up")]
    [InlineData("`raw`", null)]
    public void TryParse_SelectorForms_NameTheMetric(string expression, string? metric)
    {
        var node = PromQlParser.TryParse(expression).ShouldNotBeNull();

        PromQlSummary.Of(node).Selectors.Select(s => s.Metric).FirstOrDefault().ShouldBe(metric);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("sum(")]
    [InlineData("rate(x[5m]")]
    [InlineData("x{job=\"a\"")]
    [InlineData("x{job=}")]
    [InlineData("x{job=\"unterminated}")]
    [InlineData("x > > 1")]
    [InlineData("x[5q]")]
    [InlineData("1.2.3 + x")]
    [InlineData("x ; rm -rf /")]
    [InlineData("sum by (a b")]
    [InlineData("x offset")]
    [InlineData("x @")]
    [InlineData("{{ $labels.instance }}")]
    [InlineData("rate(x[$__rate_interval])")]
    [InlineData("\u0000\u0001\uFFFF")]
    public void TryParse_InvalidExpressions_YieldNothing(string? expression)
    {
        PromQlParser.TryParse(expression).ShouldBeNull();
    }

    [Theory]
    [InlineData(1_000, "(")]
    [InlineData(1_000, "-")]
    [InlineData(1_000, "abs(")]
    [InlineData(900, "2 ^ ")]
    public void TryParse_DeepNesting_IsRefusedWithoutExhaustingTheStack(int repeat, string piece)
    {
        var expression = string.Concat(Enumerable.Repeat(piece, repeat)) + "x";

        PromQlParser.TryParse(expression).ShouldBeNull();
    }

    [Fact]
    public void TryParse_TooLongOrTooManyTokens_IsRefused()
    {
        PromQlParser.TryParse("x" + new string(' ', PromQlParser.MaxLength)).ShouldBeNull();
        PromQlParser.TryParse(string.Join(" + ", Enumerable.Repeat("a", PromQlParser.MaxTokens))).ShouldBeNull();
    }

    [Fact]
    public void TryParse_RandomInput_NeverThrows()
    {
        var random = new Random(11);
        const string alphabet = "abcxyz_:{}[]()=~!<>+-*/%^,\"'` 0123456789.e@#\n\\";
        for (var i = 0; i < 5_000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            Should.NotThrow(() => PromQlEvidence.Analyze(new string(chars)));
        }
    }
}

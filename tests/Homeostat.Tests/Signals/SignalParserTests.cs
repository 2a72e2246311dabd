using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Signals;

public sealed class SignalParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 23, 51, 5, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private SignalParser NewParser() => new(_time);

    private static ContractError SingleError(SignalParseResult result)
    {
        result.IsValid.ShouldBeFalse();
        result.Signals.ShouldBeEmpty();
        result.Errors.Count.ShouldBe(1, string.Join("\n", result.Errors));
        return result.Errors[0];
    }

    [Fact]
    public void ParseDocument_OneObject_GivesOneSignalWithEveryField()
    {
        var result = NewParser().ParseDocument("""
            {"id": "sig-1", "source": "prometheus", "service": "checkout",
             "resource": {"kind": "Deployment", "namespace": "shop", "name": "checkout", "container": "app", "host": "node-3", "path": "/var/log/app"},
             "title": "KubeContainerOOMKilled", "text": "container app was OOM killed",
             "labels": {"alertname": "KubeContainerOOMKilled", "severity": "critical"},
             "annotations": {"summary": "OOM", "description": "killed"},
             "generatorURL": "http://prometheus/graph?g0.expr=up", "metrics": {"memory_ratio": 0.93},
             "status": "resolved", "startsAt": "2026-11-27T23:51:05.832Z", "fingerprint": "abc123"}
            """);

        result.Errors.ShouldBeEmpty();
        var signal = result.Signals.ShouldHaveSingleItem();
        signal.Id.ShouldBe("sig-1");
        signal.Source.ShouldBe(SignalSources.Prometheus);
        signal.Service.ShouldBe("checkout");
        signal.Resource.ShouldBe(new SignalResource { Kind = "Deployment", Namespace = "shop", Name = "checkout", Container = "app", Host = "node-3", Path = "/var/log/app" });
        signal.Title.ShouldBe("KubeContainerOOMKilled");
        signal.Text.ShouldBe("container app was OOM killed");
        signal.Labels.ShouldBe(new Dictionary<string, string> { ["alertname"] = "KubeContainerOOMKilled", ["severity"] = "critical" }, ignoreOrder: true);
        signal.Annotations["description"].ShouldBe("killed");
        signal.GeneratorUrl.ShouldBe("http://prometheus/graph?g0.expr=up");
        signal.Metrics["memory_ratio"].ShouldBe(0.93);
        signal.Status.ShouldBe(SignalStatus.Resolved);
        signal.StartsAt.ShouldBe(new DateTimeOffset(2026, 11, 27, 23, 51, 5, 832, TimeSpan.Zero));
        signal.Fingerprint.ShouldBe("abc123");
    }

    [Fact]
    public void ParseDocument_Array_GivesSignalsInOrder()
    {
        var result = NewParser().ParseDocument("""
            [{"source": "api", "title": "first"}, {"source": "probe", "text": "second"}, {"source": "log", "labels": {"n": "3"}}]
            """);

        result.Errors.ShouldBeEmpty();
        result.Signals.Select(s => s.Source).ShouldBe(["api", "probe", "log"]);
        result.Signals[0].Title.ShouldBe("first");
        result.Signals[1].Text.ShouldBe("second");
        result.Signals[2].Labels["n"].ShouldBe("3");
    }

    [Fact]
    public void ParseDocument_JsonLines_GivesOneSignalPerLineSkippingBlankLines()
    {
        var result = NewParser().ParseDocument(
            "{\"source\": \"api\", \"title\": \"a\"}\n\n{\"source\": \"api\", \"title\": \"b\"}\r\n{\"source\": \"api\", \"title\": \"c\"}\n");

        result.Errors.ShouldBeEmpty();
        result.Signals.Select(s => s.Title).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public void ParseDocument_PrettyPrintedSingleObject_GivesOneSignal()
    {
        var result = NewParser().ParseDocument("""
            {
              "source": "kubernetes",
              "title": "BackOff",
              "labels": {
                "namespace": "shop"
              }
            }
            """);

        result.Errors.ShouldBeEmpty();
        var signal = result.Signals.ShouldHaveSingleItem();
        signal.Title.ShouldBe("BackOff");
        signal.Labels["namespace"].ShouldBe("shop");
    }

    [Fact]
    public void ParseDocument_IdAbsent_GeneratesDistinctVersion7IdsFromTheInjectedClock()
    {
        var result = NewParser().ParseDocument("""[{"source": "api", "title": "a"}, {"source": "api", "title": "a"}]""");

        result.Errors.ShouldBeEmpty();
        result.Signals.Count.ShouldBe(2);
        result.Signals[0].Id.ShouldNotBe(result.Signals[1].Id);
        foreach (var signal in result.Signals)
        {
            var guid = Guid.ParseExact(signal.Id, "N");
            guid.Version.ShouldBe(7);
            var hex = signal.Id[..12];
            long.Parse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
                .ShouldBe(Now.ToUnixTimeMilliseconds());
        }
    }

    [Fact]
    public void ParseDocument_StatusAbsent_IsFiring()
    {
        var result = NewParser().ParseDocument("""{"source": "api", "title": "a"}""");

        result.Signals.ShouldHaveSingleItem().Status.ShouldBe(SignalStatus.Firing);
    }

    [Fact]
    public void ParseDocument_MissingSource_NamesTheField()
    {
        var error = SingleError(NewParser().ParseDocument("""{"title": "a"}"""));

        error.Field.ShouldBe("$.source");
        error.Message.ShouldBe("is required; one of alertmanager, api, kubernetes, log, probe, prometheus");
    }

    [Fact]
    public void ParseDocument_BadSource_NamesTheFieldAndValue()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": "nagios", "title": "a"}"""));

        error.Field.ShouldBe("$.source");
        error.Message.ShouldStartWith("must be one of");
        error.Value.ShouldBe("'nagios'");
    }

    [Fact]
    public void ParseDocument_NonStringSource_NamesTheField()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": 7, "title": "a"}"""));

        error.Field.ShouldBe("$.source");
        error.Message.ShouldBe("must be a string");
    }

    [Fact]
    public void ParseDocument_NonStringLabelInSecondSignal_NamesItsJsonPathAndYieldsNoSignals()
    {
        var result = NewParser().ParseDocument("""
            [{"source": "api", "title": "fine"}, {"source": "api", "labels": {"severity": 3}}]
            """);

        var error = SingleError(result);
        error.Field.ShouldBe("$[1].labels.severity");
        error.Message.ShouldBe("must be a string");
        error.Value.ShouldBe("number");
    }

    [Fact]
    public void ParseDocument_BadLabelName_NamesTheLabel()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": "api", "labels": {"bad-name": "x", "ok": "y"}}"""));

        error.Field.ShouldBe("$.labels.bad-name");
        error.Message.ShouldContain("is not a valid label name");
        error.Value.ShouldBe("'bad-name'");
    }

    [Fact]
    public void ParseDocument_BadStatus_NamesTheFieldAndValue()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": "api", "title": "a", "status": "pending"}"""));

        error.Field.ShouldBe("$.status");
        error.Message.ShouldBe("must be firing or resolved");
        error.Value.ShouldBe("'pending'");
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-45T99:00:00Z")]
    [InlineData("")]
    public void ParseDocument_BadStartsAt_NamesTheFieldAndValue(string startsAt)
    {
        var error = SingleError(NewParser().ParseDocument($$"""{"source": "api", "title": "a", "startsAt": "{{startsAt}}"}"""));

        error.Field.ShouldBe("$.startsAt");
        error.Message.ShouldBe("must be an RFC 3339 time");
        error.Value.ShouldBe($"'{startsAt}'");
    }

    [Fact]
    public void ParseDocument_StartsAtWithOffset_IsNormalisedToUtc()
    {
        var result = NewParser().ParseDocument("""{"source": "api", "title": "a", "startsAt": "2026-11-28T01:51:05+02:00"}""");

        var startsAt = result.Signals.ShouldHaveSingleItem().StartsAt.ShouldNotBeNull();
        startsAt.Offset.ShouldBe(TimeSpan.Zero);
        startsAt.ShouldBe(new DateTimeOffset(2026, 11, 27, 23, 51, 5, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("tittle", "title")]
    [InlineData("lables", "labels")]
    [InlineData("startAt", "startsAt")]
    public void ParseDocument_UnknownField_SuggestsTheClosestField(string field, string suggestion)
    {
        var error = SingleError(NewParser().ParseDocument($$"""{"source": "api", "text": "a", "{{field}}": "x"}"""));

        error.Field.ShouldBe($"$.{field}");
        error.Message.ShouldBe($"unknown field (did you mean '{suggestion}'?)");
    }

    [Fact]
    public void ParseDocument_UnknownResourceField_NamesTheNestedPath()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": "api", "text": "a", "resource": {"namespce": "shop"}}"""));

        error.Field.ShouldBe("$.resource.namespce");
        error.Message.ShouldContain("did you mean 'namespace'");
    }

    [Theory]
    [InlineData("""{"source": "api"}""")]
    [InlineData("""{"source": "api", "labels": {}, "annotations": {"summary": "x"}}""")]
    [InlineData("""{"source": "api", "title": null}""")]
    public void ParseDocument_NoTitleTextOrLabels_IsRejected(string body)
    {
        var error = SingleError(NewParser().ParseDocument(body));

        error.Field.ShouldBe("$");
        error.Message.ShouldBe("needs at least one of title, text or labels");
    }

    [Fact]
    public void ParseDocument_TitleLongerThanTheLimit_IsRejectedWithLength()
    {
        var title = new string('x', IntakeLimits.Default.MaxTitleLength + 1);

        var error = SingleError(NewParser().ParseDocument($$"""{"source": "api", "title": "{{title}}"}"""));

        error.Field.ShouldBe("$.title");
        error.Message.ShouldBe($"is longer than {IntakeLimits.Default.MaxTitleLength} characters");
        error.Value.ShouldBe($"{IntakeLimits.Default.MaxTitleLength + 1} characters");
    }

    [Fact]
    public void ParseDocument_TitleAtTheLimit_IsAccepted()
    {
        var title = new string('x', IntakeLimits.Default.MaxTitleLength);

        var result = NewParser().ParseDocument($$"""{"source": "api", "title": "{{title}}"}""");

        result.Signals.ShouldHaveSingleItem().Title.ShouldBe(title);
    }

    [Theory]
    [InlineData("""{"source": "api", "title": """)]
    [InlineData("""{"source": "api" "title": "a"}""")]
    [InlineData("""[{"source": "api", "title": "a"},""")]
    public void ParseDocument_MalformedJson_IsAContractErrorNotAnException(string body)
    {
        var error = SingleError(NewParser().ParseDocument(body));

        error.Field.ShouldBe("$");
        error.Message.ShouldStartWith("malformed JSON at line 1, byte ");
    }

    [Fact]
    public void ParseDocument_EmptyBody_SaysWhatToSend()
    {
        var error = SingleError(NewParser().ParseDocument("  \n "));

        error.Field.ShouldBe("$");
        error.Message.ShouldStartWith("the body is empty");
    }

    [Fact]
    public void ParseDocument_JsonLinesWithBadThirdLine_NamesTheLineAndYieldsNoSignals()
    {
        var result = NewParser().ParseDocument(
            "{\"source\": \"api\", \"title\": \"a\"}\n{\"source\": \"api\", \"title\": \"b\"}\n{\"source\": \"api\", \"labels\": {\"severity\": true}}\n");

        var error = SingleError(result);
        error.Field.ShouldBe("line 3.labels.severity");
        error.Message.ShouldBe("must be a string");
    }

    [Fact]
    public void ParseDocument_JsonLinesWithMalformedSecondLine_NamesTheLine()
    {
        var result = NewParser().ParseDocument(
            "{\"source\": \"api\", \"title\": \"a\"}\n{\"source\": \"api\", \"title\": }\n{\"source\": \"api\", \"title\": \"c\"}\n");

        var error = SingleError(result);
        error.Field.ShouldBe("line 2");
        error.Message.ShouldStartWith("malformed JSON");
    }

    [Fact]
    public void ParseDocument_BatchWithOneBadSignal_YieldsNoSignalsAndEveryError()
    {
        var result = NewParser().ParseDocument("""
            [{"source": "api", "title": "good"}, {"source": "nope", "title": "bad", "status": "up"}, {"source": "api", "title": "also good"}]
            """);

        result.Signals.ShouldBeEmpty();
        result.IsValid.ShouldBeFalse();
        result.Errors.Select(e => e.Field).ShouldBe(["$[1].source", "$[1].status"], ignoreOrder: true);
    }

    [Fact]
    public void ParseDocument_ArrayElementThatIsNotAnObject_NamesTheIndex()
    {
        var error = SingleError(NewParser().ParseDocument("""[{"source": "api", "title": "a"}, "oops"]"""));

        error.Field.ShouldBe("$[1]");
        error.Message.ShouldBe("a signal must be a JSON object");
    }

    [Fact]
    public void ParseDocument_BadId_IsRejected()
    {
        var error = SingleError(NewParser().ParseDocument("""{"id": "a b/../c", "source": "api", "title": "a"}"""));

        error.Field.ShouldBe("$.id");
        error.Value.ShouldBe("'a b/../c'");
    }

    [Fact]
    public void ParseDocument_NonFiniteOrTextMetric_NamesTheMetric()
    {
        var error = SingleError(NewParser().ParseDocument("""{"source": "api", "title": "a", "metrics": {"ratio": "high"}}"""));

        error.Field.ShouldBe("$.metrics.ratio");
        error.Message.ShouldBe("must be a finite number");
    }

    [Fact]
    public void ParseDocument_TooManySignals_IsRejected()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat("""{"source": "api", "title": "a"}""", IntakeLimits.Default.MaxSignalsPerPost + 1)) + "]";

        var error = SingleError(NewParser().ParseDocument(body));

        error.Message.ShouldStartWith($"a post holds at most {IntakeLimits.Default.MaxSignalsPerPost} signals");
    }
}

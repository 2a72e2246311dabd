using System.Text.Json.Nodes;
using Homeostat.Signals;

namespace Homeostat.Tests.Signals;

public sealed class AlertmanagerWebhookTests
{
    private static string Payload(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name));

    private static string Mutated(string name, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Payload(name))!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    private static ContractError SingleError(AlertmanagerParseResult result)
    {
        result.IsValid.ShouldBeFalse();
        result.Notification.ShouldBeNull();
        result.Errors.Count.ShouldBe(1, string.Join("\n", result.Errors));
        return result.Errors[0];
    }

    [Fact]
    public void Parse_CapturedFiringPayload_GivesOneFiringSignalWithEverything()
    {
        var result = AlertmanagerWebhook.Parse(Payload("alertmanager-firing.json"));

        result.Errors.ShouldBeEmpty();
        var notification = result.Notification.ShouldNotBeNull();
        notification.Status.ShouldBe("firing");
        notification.Receiver.ShouldBe("webhook");
        notification.GroupKey.ShouldBe("{}:{alertname=\"DemoFaultInjected\"}");
        notification.TruncatedAlerts.ShouldBe(0);
        var signal = notification.Signals.ShouldHaveSingleItem();
        signal.Source.ShouldBe(SignalSources.Alertmanager);
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Fingerprint.ShouldBe("d5bf79b5ca6dc083");
        signal.StartsAt.ShouldBe(new DateTimeOffset(2026, 11, 27, 23, 51, 5, 832, TimeSpan.Zero));
        signal.Title.ShouldBe("DemoFaultInjected");
        signal.Text.ShouldBe("Injected fault on 127.0.0.1:19100 (value 1)");
        signal.Labels.ShouldBe(new Dictionary<string, string>
        {
            ["alertname"] = "DemoFaultInjected",
            ["instance"] = "127.0.0.1:19100",
            ["job"] = "node",
            ["severity"] = "critical",
        }, ignoreOrder: true);
        signal.Annotations.ShouldBe(new Dictionary<string, string>
        {
            ["runbook"] = "restart-service",
            ["summary"] = "Injected fault on 127.0.0.1:19100 (value 1)",
        }, ignoreOrder: true);
        signal.GeneratorUrl.ShouldBe("http://vm:19090/graph?g0.expr=demo_fault%7Bjob%3D%22node%22%7D+%3E+0&g0.tab=1");
        signal.Resource.ShouldNotBeNull().Host.ShouldBe("127.0.0.1:19100");
    }

    [Fact]
    public void Parse_CapturedResolvedPayload_GivesTheSameAlertResolved()
    {
        var firing = AlertmanagerWebhook.Parse(Payload("alertmanager-firing.json")).Notification!.Signals.Single();

        var result = AlertmanagerWebhook.Parse(Payload("alertmanager-resolved.json"));

        result.Errors.ShouldBeEmpty();
        result.Notification!.Status.ShouldBe("resolved");
        var resolved = result.Notification.Signals.ShouldHaveSingleItem();
        resolved.Status.ShouldBe(SignalStatus.Resolved);
        resolved.Fingerprint.ShouldBe(firing.Fingerprint);
        resolved.StartsAt.ShouldBe(firing.StartsAt);
        resolved.Labels.ShouldBe(firing.Labels, ignoreOrder: true);
        resolved.Id.ShouldNotBe(firing.Id);
    }

    [Fact]
    public void Parse_SamePayloadTwice_GivesTheSameSignalIds()
    {
        var first = AlertmanagerWebhook.Parse(Payload("alertmanager-firing.json")).Notification!.Signals.Single();
        var second = AlertmanagerWebhook.Parse(Payload("alertmanager-firing.json")).Notification!.Signals.Single();

        second.Id.ShouldBe(first.Id);
    }

    [Fact]
    public void Parse_FiringEndsAtZeroTime_IsAccepted()
    {
        Payload("alertmanager-firing.json").ShouldContain("\"endsAt\": \"0001-01-01T00:00:00Z\"");

        AlertmanagerWebhook.Parse(Payload("alertmanager-firing.json")).IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData("3")]
    [InlineData("5")]
    public void Parse_UnsupportedVersion_NamesTheVersionField(string version)
    {
        var result = AlertmanagerWebhook.Parse(Mutated("alertmanager-firing.json", j => j["version"] = version));

        var error = SingleError(result);
        error.Field.ShouldBe("$.version");
        error.Message.ShouldBe("only Alertmanager webhook version 4 is supported");
        error.Value.ShouldBe($"'{version}'");
    }

    [Fact]
    public void Parse_NumericVersion_IsRejectedAsNotAString()
    {
        var error = SingleError(AlertmanagerWebhook.Parse(Mutated("alertmanager-firing.json", j => j["version"] = 4)));

        error.Field.ShouldBe("$.version");
        error.Message.ShouldBe("must be a string");
    }

    [Fact]
    public void Parse_MissingVersion_IsRequired()
    {
        var error = SingleError(AlertmanagerWebhook.Parse(Mutated("alertmanager-firing.json", j => j.Remove("version"))));

        error.Field.ShouldBe("$.version");
        error.Message.ShouldBe("is required");
    }

    [Fact]
    public void Parse_MissingAlerts_NamesTheAlertsField()
    {
        var error = SingleError(AlertmanagerWebhook.Parse(Mutated("alertmanager-firing.json", j => j.Remove("alerts"))));

        error.Field.ShouldBe("$.alerts");
        error.Message.ShouldStartWith("is required");
    }

    [Fact]
    public void Parse_NonStringLabelValue_NamesTheLabelAndRejectsTheWholeNotification()
    {
        var body = Mutated("alertmanager-firing.json", j =>
        {
            var alerts = j["alerts"]!.AsArray();
            var second = JsonNode.Parse(alerts[0]!.ToJsonString())!;
            second["labels"]!["severity"] = 2;
            alerts.Add(second);
        });

        var error = SingleError(AlertmanagerWebhook.Parse(body));

        error.Field.ShouldBe("$.alerts[1].labels.severity");
        error.Message.ShouldBe("must be a string");
        error.Value.ShouldBe("number");
    }

    // Found by the fuzzer (IntakeParserFuzzTests): common labels were added to every alert without the label-name check.
    [Fact]
    public void Parse_CommonLabelWithAnInvalidName_IsRejectedLikeAnAlertLabel()
    {
        var body = Mutated("alertmanager-firing.json", j => j["commonLabels"]!["W.|?J)T1"] = "NodeFilesystemAlmostOutOfSpace");

        var error = SingleError(AlertmanagerWebhook.Parse(body));

        error.Field.ShouldBe("$.commonLabels.W.|?J)T1");
        error.Message.ShouldBe("is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }

    [Fact]
    public void Parse_BadAlertStatus_NamesTheField()
    {
        var body = Mutated("alertmanager-firing.json", j => j["alerts"]![0]!["status"] = "pending");

        var error = SingleError(AlertmanagerWebhook.Parse(body));

        error.Field.ShouldBe("$.alerts[0].status");
        error.Value.ShouldBe("'pending'");
    }

    [Fact]
    public void Parse_BadStartsAt_NamesTheField()
    {
        var body = Mutated("alertmanager-firing.json", j => j["alerts"]![0]!["startsAt"] = "soon");

        var error = SingleError(AlertmanagerWebhook.Parse(body));

        error.Field.ShouldBe("$.alerts[0].startsAt");
        error.Message.ShouldBe("must be an RFC 3339 time");
    }

    [Fact]
    public void Parse_NegativeTruncatedAlerts_IsRejected()
    {
        var error = SingleError(AlertmanagerWebhook.Parse(Mutated("alertmanager-firing.json", j => j["truncatedAlerts"] = -1)));

        error.Field.ShouldBe("$.truncatedAlerts");
    }

    [Fact]
    public void Parse_AlertWithoutFingerprint_DerivesAStableOneFromLabelsWhateverTheirOrder()
    {
        var body = Mutated("alertmanager-firing.json", j => j["alerts"]![0]!.AsObject().Remove("fingerprint"));
        var reordered = Mutated("alertmanager-firing.json", j =>
        {
            var alert = j["alerts"]![0]!.AsObject();
            alert.Remove("fingerprint");
            alert["labels"] = new JsonObject { ["severity"] = "critical", ["job"] = "node", ["instance"] = "127.0.0.1:19100", ["alertname"] = "DemoFaultInjected" };
        });

        var first = AlertmanagerWebhook.Parse(body).Notification!.Signals.Single();
        var second = AlertmanagerWebhook.Parse(reordered).Notification!.Signals.Single();

        first.Fingerprint.ShouldNotBeNullOrEmpty();
        first.Fingerprint.ShouldNotBe("d5bf79b5ca6dc083");
        second.Fingerprint.ShouldBe(first.Fingerprint);
    }

    [Theory]
    [InlineData("{\"version\": \"4\", \"alerts\": [")]
    [InlineData("[]")]
    [InlineData("")]
    public void Parse_NotAJsonObject_IsAContractErrorNotAnException(string body)
    {
        var error = SingleError(AlertmanagerWebhook.Parse(body));

        error.Field.ShouldBe("$");
    }
}

using System.Text.Json.Nodes;
using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;

namespace Homeostat.Kubernetes.Tests;

public sealed class OpenCircuitBreakerActionTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private OpenCircuitBreakerAction Action => new(_cluster.Client, _cluster.Monitor);

    private static ActionRequest Open((string Name, string Value) target, params (string Name, object? Value)[] parameters) =>
        TestCluster.Request(TestCluster.Alert(("alertname", "UpstreamErrors"), target), "open_circuit_breaker", parameters);

    private static ActionRequest OpenCheckout(params (string Name, object? Value)[] parameters) =>
        Open(("destination_service", "checkout.shop.svc.cluster.local"), parameters);

    private JsonObject? Rule => _cluster.Server.GetJson("destinationrules", "shop", "homeostat-checkout");

    private JsonNode? Outlier => Rule?["spec"]?["trafficPolicy"]?["outlierDetection"];

    private void SeedRule(JsonObject trafficPolicy, string host = "checkout.shop.svc.cluster.local") =>
        _cluster.Server.Seed("destinationrules", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "homeostat-checkout", ["namespace"] = "shop" },
            ["spec"] = new JsonObject { ["host"] = host, ["trafficPolicy"] = trafficPolicy },
        });

    [Fact]
    public async Task ExecuteAsync_NoRule_CreatesOneForTheHost()
    {
        var outcome = await Action.ExecuteAsync(OpenCheckout(("consecutive_errors", 7L), ("base_ejection_time", TestCluster.Interval("2m"))), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        Rule.ShouldNotBeNull()["spec"]!["host"]!.GetValue<string>().ShouldBe("checkout.shop.svc.cluster.local");
        Outlier!["consecutive5xxErrors"]!.GetValue<long>().ShouldBe(7);
        Outlier["interval"]!.GetValue<string>().ShouldBe("10s");
        Outlier["baseEjectionTime"]!.GetValue<string>().ShouldBe("120s");
        Outlier["maxEjectionPercent"]!.GetValue<long>().ShouldBe(50);
        Rule!["spec"]!["trafficPolicy"]!["connectionPool"].ShouldBeNull();
        var write = _cluster.Server.PersistedWrites.ShouldHaveSingleItem();
        (write.Method, write.Verb, write.ApiGroup, write.Resource, write.Status).ShouldBe(("POST", "create", "networking.istio.io", "destinationrules", 201));
    }

    [Fact]
    public async Task ExecuteAsync_ServiceNameAndNamespace_TargetsTheClusterLocalHost()
    {
        var request = TestCluster.Request(TestCluster.Alert(("namespace", "shop"), ("destination_service_name", "checkout")), "open_circuit_breaker");

        var outcome = await Action.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        Rule.ShouldNotBeNull()["spec"]!["host"]!.GetValue<string>().ShouldBe("checkout.shop.svc.cluster.local");
    }

    [Fact]
    public async Task ExecuteAsync_ExistingRule_MergePatchesOutlierDetectionAndPendingLimit()
    {
        SeedRule(new JsonObject
        {
            ["loadBalancer"] = new JsonObject { ["simple"] = "ROUND_ROBIN" },
            ["outlierDetection"] = new JsonObject { ["consecutive5xxErrors"] = 5, ["interval"] = "10s", ["baseEjectionTime"] = "30s", ["maxEjectionPercent"] = 100 },
        });

        var outcome = await Action.ExecuteAsync(OpenCheckout(("max_ejection_percent", 30L), ("max_pending_requests", 64L)), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldBe(
        [
            "destinationrule shop/homeostat-checkout: spec.trafficPolicy.outlierDetection.maxEjectionPercent: 100 -> 30",
            "destinationrule shop/homeostat-checkout: spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests: (unset) -> 64",
        ]);
        Outlier!["maxEjectionPercent"]!.GetValue<long>().ShouldBe(30);
        Rule!["spec"]!["trafficPolicy"]!["connectionPool"]!["http"]!["http1MaxPendingRequests"]!.GetValue<long>().ShouldBe(64);
        Rule["spec"]!["trafficPolicy"]!["loadBalancer"]!["simple"]!.GetValue<string>().ShouldBe("ROUND_ROBIN");
        var write = _cluster.Server.PersistedWrites.ShouldHaveSingleItem();
        (write.Verb, write.ContentType!.Split(';')[0]).ShouldBe(("patch", "application/merge-patch+json"));
    }

    [Fact]
    public async Task ExecuteAsync_Repeat_ReportsNoChange()
    {
        (await Action.ExecuteAsync(OpenCheckout(("max_pending_requests", 64L)), default)).Status.ShouldBe(ActionStatus.Succeeded);

        var repeat = await Action.ExecuteAsync(OpenCheckout(("max_pending_requests", 64L)), default);
        var preview = await Action.PreviewAsync(OpenCheckout(("max_pending_requests", 64L)), default);

        repeat.Status.ShouldBe(ActionStatus.NoChange, repeat.Summary);
        preview.Summary.ShouldStartWith("nothing to do");
        _cluster.Server.PersistedWrites.Count.ShouldBe(1);
    }

    [Fact]
    public async Task PreviewAsync_NoRule_ShowsTheDiffAndCreatesNothing()
    {
        var preview = await Action.PreviewAsync(OpenCheckout(), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Summary.ShouldContain("dryRun=All");
        preview.Changes.ShouldContain("destinationrule shop/homeostat-checkout: spec.trafficPolicy.outlierDetection.consecutive5xxErrors: (unset) -> 5");
        _cluster.Server.Requests.ShouldContain(r => r.Verb == "create" && r.DryRun && r.Status == 201);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        Rule.ShouldBeNull();
    }

    [Fact]
    public async Task PreviewAsync_ExistingRule_PatchesAsDryRunOnly()
    {
        SeedRule(new JsonObject());

        var preview = await Action.PreviewAsync(OpenCheckout(), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes.Count.ShouldBe(4);
        _cluster.Server.Requests.ShouldContain(r => r.Verb == "patch" && r.DryRun && r.Status == 200);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        Outlier.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_CreateRacesAnotherWriter_RetriesAsAPatch()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(OpenCheckout(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb is "create" or "patch").Select(r => (r.Verb, r.Status)).ShouldBe([("create", 409), ("patch", 200)]);
        Outlier!["consecutive5xxErrors"]!.GetValue<long>().ShouldBe(5);
    }

    [Fact]
    public async Task ExecuteAsync_PatchConflicts_ReReadsAndSucceeds()
    {
        SeedRule(new JsonObject());
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Action.ExecuteAsync(OpenCheckout(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
    }

    [Fact]
    public async Task ExecuteAsync_CreateForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("create", "destinationrules");

        var outcome = await Action.ExecuteAsync(OpenCheckout(), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cannot create resource \"destinationrules\" in API group \"networking.istio.io\" in the namespace \"shop\"");
    }

    [Fact]
    public async Task ExecuteAsync_RuleOfThatNameForAnotherHost_Refused()
    {
        SeedRule(new JsonObject(), host: "checkout.other.svc.cluster.local");

        var outcome = await Action.ExecuteAsync(OpenCheckout(), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("left alone");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("destination_service", "checkout.shop.svc.cluster.local/../../x")]
    [InlineData("destination_service", "checkout;rm -rf /")]
    [InlineData("upstream_host", "-evil.example.com")]
    [InlineData("host", "checkout.kube-system.svc.cluster.local")]
    [InlineData("destination_service_name", "Checkout_Svc")]
    public async Task ExecuteAsync_HostileOrDisallowedHost_NotApplicableWithoutAnApiCall(string label, string value)
    {
        var outcome = await Action.ExecuteAsync(Open((label, value)), default);
        var preview = await Action.PreviewAsync(Open((label, value)), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_SignalNamesNoHost_NotApplicable()
    {
        var outcome = await Action.ExecuteAsync(Open(("alertstate", "firing")), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldStartWith("not applicable: the signal names no target host");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Descriptor_LatencyCannotBeObserved_SaysWhyAndActsWithoutAPremiseObservation()
    {
        Action.Descriptor.Premise.IsObservable.ShouldBeFalse();
        Action.Descriptor.Premise.CannotObserve!.ShouldContain("does not query");

        var outcome = await Action.ExecuteAsync(OpenCheckout(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldBeNull();
    }

    [Fact]
    public void ProtoDuration_FormatsSecondsForIstio()
    {
        OpenCircuitBreakerAction.ProtoDuration(TestCluster.Interval("30s")).ShouldBe("30s");
        OpenCircuitBreakerAction.ProtoDuration(TestCluster.Interval("1h")).ShouldBe("3600s");
    }
}

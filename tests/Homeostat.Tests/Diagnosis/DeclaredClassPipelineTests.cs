using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Tests.Diagnosis;

/// <summary>Declared classes through the real loop: they act under their floor and every guardrail, or escalate.</summary>
public sealed class DeclaredClassPipelineTests
{
    private const string Catalog = """
        classes:
          crashloop:
            match: [ ['alertname="KubePodCrashLooping"'] ]
          payments_space:
            match: [ ['team="payments"'] ]
        remediations:
          crashloop:
            action: open_circuit_breaker
            confidence_floor: 1.0
            auto: true
            rate_limit: { max: 1, per: 1h }
        """;

    private static Signal CrashLoop(string service = "shop", params (string Name, string Value)[] extra) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Source = SignalSources.Alertmanager,
        Service = service,
        Title = "Pod shop/api-7d9f is crash looping",
        Labels = new Dictionary<string, string> { ["alertname"] = "KubePodCrashLooping", ["namespace"] = "shop" }
            .Concat(extra.Select(e => KeyValuePair.Create(e.Name, e.Value))).ToDictionary(),
    };

    [Fact]
    public async Task DeclaredClass_AutoAtFloorOne_ActsAndTheAuditCitesTheDeclaration()
    {
        await using var harness = new PipelineHarness(Catalog);

        var incident = await harness.HandleAsync(CrashLoop());

        incident.Classification!.Class.ShouldBe("crashloop");
        incident.Classification.Confidence.ShouldBe(1.0);
        incident.ActedForReal.ShouldBeTrue();
        harness.Actions["open_circuit_breaker"].Executed.ShouldHaveSingleItem().Remediation.Class.ShouldBe("crashloop");
        var classified = (await harness.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.Classified);
        classified.Summary.ShouldContain("by declared: declared by test-catalog.yaml:3 alertname=\"KubePodCrashLooping\"");
        IncidentStory.Tell(incident, await harness.AuditAsync(incident.Id))
            .ShouldContain("Class       crashloop, confidence 1.00 (declared): declared by test-catalog.yaml:3");
    }

    [Fact]
    public async Task DeclaredClass_SecondActionInTheWindow_IsStoppedByTheRateLimit()
    {
        await using var harness = new PipelineHarness(Catalog);

        await harness.HandleAsync(CrashLoop("shop"));
        var second = await harness.HandleAsync(CrashLoop("shop") with { Labels = new Dictionary<string, string> { ["alertname"] = "KubePodCrashLooping", ["pod"] = "other" } });

        second.State.ShouldBe(IncidentState.Escalated);
        second.Reason.ShouldBe(EscalationReasons.RateLimited);
        harness.Actions["open_circuit_breaker"].Executed.Count.ShouldBe(1);
    }

    [Fact]
    public async Task DeclaredClass_GlobalDryRun_OnlyPreviews()
    {
        await using var harness = new PipelineHarness(Catalog, new Dictionary<string, string?> { ["Guardrails:DryRun"] = "true" });

        var incident = await harness.HandleAsync(CrashLoop());

        incident.State.ShouldBe(IncidentState.DryRun);
        harness.Actions["open_circuit_breaker"].Executed.ShouldBeEmpty();
    }

    [Fact]
    public async Task DeclaredClassWithoutRemediation_OnlyNotifies()
    {
        await using var harness = new PipelineHarness(Catalog);

        var incident = await harness.HandleAsync(CrashLoop() with { Labels = new Dictionary<string, string> { ["alertname"] = "PaymentsDbSlow", ["team"] = "payments" } });

        incident.Classification!.Class.ShouldBe("payments_space");
        incident.Reason.ShouldBe(EscalationReasons.NoRemediation);
    }

    [Fact]
    public async Task TwoClassesDeclareOneSignal_EscalatesAmbiguousDeclarationNamingBoth()
    {
        await using var harness = new PipelineHarness(Catalog);

        var incident = await harness.HandleAsync(CrashLoop(extra: ("team", "payments")));

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.AmbiguousDeclaration);
        incident.Classification!.IsUnknown.ShouldBeTrue();
        harness.Actions["open_circuit_breaker"].Executed.ShouldBeEmpty();
        var guardrail = (await harness.AuditAsync(incident.Id)).First(r => r.Type == AuditTypes.Guardrail);
        guardrail.Summary.ShouldContain("classes crashloop and payments_space both declare this signal");
        guardrail.Summary.ShouldContain("test-catalog.yaml:3");
        guardrail.Summary.ShouldContain("test-catalog.yaml:5");
    }
}

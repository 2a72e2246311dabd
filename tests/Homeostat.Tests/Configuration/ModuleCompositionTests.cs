using Homeostat.Configuration;
using Homeostat.Guardrails;
using Homeostat.Host;
using Homeostat.Prometheus;
using Homeostat.Remediation;
using Homeostat.Host.Actions;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Tests.Configuration;

/// <summary>Modules declare what they add; precedence is declared, never the order of registration.</summary>
public sealed class ModuleCompositionTests
{
    private static HomeostatBuilder Compose(IServiceCollection services, Dictionary<string, string?>? settings = null) =>
        services.AddHomeostat(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build())
            .AddHostActions()
            .AddHostProbes()
            .AddPrometheus();

    [Fact]
    public void TwoActionsWithOneName_AreAStartUpError_NamingBoth()
    {
        var services = new ServiceCollection();
        var configuration = Compose(services).Configuration;
        services.AddSingleton<IRemediationAction>(new RecordingAction(KnownActions.RotateAndCompressLogs));
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<DuplicateActionException>(() => provider.GetRequiredService<IActionRegistry>());
        var report = StartupCheck.Check(provider, configuration, forRun: true);

        error.Message.ShouldBe("two actions are named 'rotate_and_compress_logs': RotateAndCompressLogsAction (module host-actions) and RecordingAction (registered directly); an action's name must be unique (use OverrideAction to replace one on purpose)");
        report.Errors.ShouldHaveSingleItem().ToString().ShouldBe($"homeostat: actions: {error.Message}");
    }

    [Fact]
    public void AModuleAddedTwice_AddsItsActionsOnce()
    {
        var services = new ServiceCollection();
        Compose(services).AddHostActions();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IActionRegistry>().Find(KnownActions.RotateAndCompressLogs.Name).ShouldBeOfType<RotateAndCompressLogsAction>();
    }

    [Fact]
    public void AnOverride_ReplacesTheActionOfItsNameOnPurpose_ButTwoOverridesOfOneNameAreRefused()
    {
        var replacement = new RecordingAction(KnownActions.RotateAndCompressLogs);
        var services = new ServiceCollection();
        Compose(services).Services.OverrideAction(replacement);
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IActionRegistry>().Find(KnownActions.RotateAndCompressLogs.Name).ShouldBeSameAs(replacement);
        }

        services.OverrideAction(new RecordingAction(KnownActions.RotateAndCompressLogs));
        using var twice = services.BuildServiceProvider();
        Should.Throw<DuplicateActionException>(() => twice.GetRequiredService<IActionRegistry>())
            .Message.ShouldContain("RecordingAction (override) and RecordingAction (override)");
    }

    [Fact]
    public void ADisabledAction_IsKnownAndSaysWhichKeyTurnsItOn()
    {
        var services = new ServiceCollection();
        Compose(services).AddModule("cluster", m => m.DisabledAction(KnownActions.ScaleMemoryLimit, "cluster.enabled: true"));
        using var provider = services.BuildServiceProvider();

        var action = provider.GetRequiredService<IActionRegistry>().Find("scale_memory_limit").ShouldBeOfType<UnavailableAction>();
        action.Descriptor.UnavailableReason.ShouldBe("scale_memory_limit needs the cluster module, which the config turns off: set cluster.enabled: true");
    }

    [Fact]
    public void Verifiers_AreAskedInTheirDeclaredOrder_WhateverTheOrderOfRegistration()
    {
        var services = new ServiceCollection();

        // A verifier of the test's own, registered before the modules: it still comes after every declared one.
        services.AddSingleton<IVerifier>(new ScriptedVerifier());
        Compose(services);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<VerifierSelector>().Names.ShouldBe(["probe", "prometheus_rule", "prometheus", "alertmanager", "scripted", "source_resolved"]);
    }

    [Fact]
    public async Task TheSourceResolvedFallback_IsLastEvenWhenRegisteredFirst()
    {
        var scripted = new ScriptedVerifier();
        scripted.AlwaysReturns(VerificationStatus.Cleared, "scripted");
        var selector = new VerifierSelector([new SourceResolvedVerifier(), scripted]);
        await using var h = new PipelineHarness();
        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        selector.For(incident).ShouldBeSameAs(scripted);
    }

    [Fact]
    public void Guardrails_RunInTheDeclaredOrder_AndAGuardrailDeclaringAPlaceRunsThere()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGuardrail>(new PlacedGuardrail());
        Compose(services);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<GuardrailPipeline>().Names.ShouldBe(
        [
            GuardrailNames.RemediationExists, GuardrailNames.Auto, GuardrailNames.ConfidenceFloor, "business_hours", GuardrailNames.KillSwitch,
            GuardrailNames.Suspension, GuardrailNames.RateLimit, GuardrailNames.BlastRadius, GuardrailNames.DryRun, GuardrailNames.ShadowPeriod, GuardrailNames.Approval,
        ]);
    }

    [Fact]
    public void EveryModule_DeclaresItsSections_ForTheKeyCheck()
    {
        var services = new ServiceCollection();
        var builder = Compose(services);

        builder.Modules.Select(m => m.Name).ShouldBe([ModuleNames.Core, ModuleNames.HostActions, ModuleNames.HostProbes, ModuleNames.Prometheus]);
        builder.Modules.SelectMany(m => m.Sections).Select(s => s.DottedKey).ShouldBe(
        [
            "data", "guardrails", "healing", "catalog", "notifiers.webhook", "intake.limits", "probes", "actions.webhook",
            "actions.rotate_and_compress_logs", "actions.trigger_cert_renewal", "actions.clean_directory", "actions.run_script", "actions.restart_service",
            "verification", "verification.prometheus", "verification.alertmanager", "sources.prometheus",
        ]);
    }

    [Fact]
    public void AModuleOfOneLine_AddsAnActionAndAProbeKind_ThatTheCatalogAndTheProbesKnow()
    {
        var services = new ServiceCollection();
        Compose(services, new Dictionary<string, string?>
        {
            ["Probes:0:Name"] = "queue",
            ["Probes:0:Kind"] = QueueDepthProbeKind.Name,
            ["Probes:0:Path"] = "/var/spool/app",
            ["Probes:0:Service"] = "shop",
        }).AddModule("queue", m => m.Action<DrainQueueAction>(DrainQueueAction.Definition).Probe<QueueDepthProbeKind>());
        using var provider = services.BuildServiceProvider();

        var loaded = provider.GetRequiredService<Homeostat.Catalog.CatalogLoader>()
            .Load("remediations:\n  queue_full:\n    action: drain_queue\n    confidence_floor: 0.9\n    auto: true\n", "catalog.yaml");

        loaded.Errors.ShouldBeEmpty();
        loaded.Warnings.ShouldBeEmpty();
        provider.GetRequiredService<IActionRegistry>().Find("drain_queue").ShouldBeOfType<DrainQueueAction>();
        provider.GetRequiredService<Homeostat.Probes.ProbeSet>().Probes.ShouldHaveSingleItem().Options.Kind.ShouldBe(QueueDepthProbeKind.Name);
        var module = provider.GetServices<HomeostatModule>().Single(m => m.Name == "queue");
        module.Actions.ShouldHaveSingleItem().Descriptor.Name.ShouldBe("drain_queue");
        module.Probes.ShouldBe([typeof(QueueDepthProbeKind)]);
    }

    private sealed class DrainQueueAction : IRemediationAction
    {
        public static readonly ActionDescriptor Definition = new("drain_queue", "Drain the queue the signal names.", []);

        public ActionDescriptor Descriptor => Definition;

        public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ActionPreview(true, "would drain the queue", []));

        public Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ActionOutcome(ActionStatus.Succeeded, "drained", []));
    }

    private sealed class QueueDepthProbeKind : Homeostat.Probes.IProbeKind
    {
        public const string Name = "queue_depth";

        public string Kind => Name;

        public Homeostat.Probes.IProbe Create(Homeostat.Probes.ProbeOptions options) => new QueueDepthProbe(options);

        public IEnumerable<string> Validate(Homeostat.Probes.ProbeOptions options) => [];
    }

    private sealed class QueueDepthProbe(Homeostat.Probes.ProbeOptions options) : Homeostat.Probes.IProbe
    {
        public Homeostat.Probes.ProbeOptions Options { get; } = options;

        public Task<Homeostat.Probes.ProbeReading> MeasureAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new Homeostat.Probes.ProbeReading(false, 1, 100, "1 message queued"));

        public Homeostat.Signals.Signal ToSignal(Homeostat.Probes.ProbeReading reading, DateTimeOffset since, string id) =>
            Homeostat.Probes.ProbeSignals.Create(Options, reading, since, id, "QueueDeep", new Homeostat.Signals.SignalResource { Kind = "Queue", Path = Options.Path }, [], new Dictionary<string, double>());
    }

    private sealed class PlacedGuardrail : IGuardrail
    {
        public string Name => "business_hours";

        public int Order => GuardrailNames.OrderOf(GuardrailNames.ConfidenceFloor) + 50;

        public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GuardrailVerdict.Pass(Name, "within business hours"));
    }
}

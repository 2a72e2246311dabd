using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Healing;
using Homeostat.Host.Actions;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Healing;

/// <summary>
/// The loop with the real rotate_and_compress_logs in a temporary directory: a premise that does not hold escalates
/// premise_not_met with what was seen, a target the action cannot resolve is not_applicable (never a page in dry-run),
/// and the audit trail verifies and replays to the stored state on every path.
/// </summary>
public sealed class PremiseLoopTests : IDisposable
{
    private static readonly Dictionary<string, string?> DryRun = new() { ["Guardrails:DryRun"] = "true" };

    private readonly string _logs = Path.Combine(Path.GetTempPath(), $"homeostat-premise-{Guid.NewGuid():N}", "app");
    private readonly QuietOrFullFilesystem _filesystem = new();
    private readonly string _oldLog;

    public PremiseLoopTests()
    {
        Directory.CreateDirectory(_logs);
        _oldLog = Path.Combine(_logs, "app.log");
        File.WriteAllText(_oldLog, string.Concat(Enumerable.Repeat("2026-11-28T01:00:00Z INFO served\n", 200)));
        File.SetLastWriteTimeUtc(_oldLog, PipelineHarness.Start.AddHours(-3).UtcDateTime);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_logs)!, recursive: true);

    /// <summary>A stock node_exporter alert: it names the filesystem mounted at '/', not a directory.</summary>
    private static Signal NodeDiskAlertOnRoot() => SignalBuilder.DiskFull() with
    {
        Text = "filesystem / on node-1 has 3% space left",
        Labels = new Dictionary<string, string>
        {
            ["alertname"] = "NodeFilesystemAlmostOutOfSpace", ["severity"] = "critical", ["mountpoint"] = "/", ["device"] = "/dev/vda1",
            ["fstype"] = "ext4", ["instance"] = "node-1:9100",
        },
    };

    private string Catalog(bool withTargets) => (withTargets ? $"targets:\n  mountpoints:\n    \"/\": [ {_logs} ]\n" : string.Empty) + CatalogBuilder.DiskFull();

    private PipelineHarness Harness(bool withTargets, IReadOnlyDictionary<string, string?>? settings = null, IRemediationAction? action = null)
    {
        action ??= new RotateAndCompressLogsAction(
            StaticOptionsMonitor.Of(new RotateAndCompressLogsOptions { AllowedRoots = [Path.GetDirectoryName(_logs)!] }),
            new FakeTimeProvider(PipelineHarness.Start),
            _filesystem);
        return new PipelineHarness(Catalog(withTargets), settings, configure: services =>
        {
            // The harness records rotate_and_compress_logs by default; this test runs the real one (or its own).
            services.Remove(services.Single(d => d.ImplementationInstance is ActionOverride o && o.Action.Descriptor.Name == action.Descriptor.Name));
            services.OverrideAction(action);
        });
    }

    private static async Task AuditVerifiesAndReplaysAsync(PipelineHarness h, Incident incident)
    {
        var report = await h.Store.VerifyAuditChainAsync(CancellationToken.None);
        report.IsIntact.ShouldBeTrue(report.Problem);
        report.IncidentsChecked.ShouldBeGreaterThan(0);
        AuditTrailVerification.Disagreement(incident, await h.AuditAsync(incident.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task DryRun_NodeDiskAlertOnRootWithoutTargets_IsNotApplicableAndNobodyIsPaged()
    {
        await using var h = Harness(withTargets: false, DryRun);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.Classification!.Class.ShouldBe("disk_full");
        incident.State.ShouldBe(IncidentState.DryRun);
        incident.Reason.ShouldBe(EscalationReasons.NotApplicable);
        incident.Detail!.ShouldContain("mounted at '/'");
        h.Notifier.Sent.ShouldBeEmpty();
        var preview = AuditJson.Read<PreviewPayload>((await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.DryRun))!;
        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        (await h.AuditAsync(incident.Id)).ShouldNotContain(r => r.Type == AuditTypes.Escalated);
        File.Exists(_oldLog).ShouldBeTrue();
        await AuditVerifiesAndReplaysAsync(h, incident);
    }

    [Fact]
    public async Task DryRun_NodeDiskAlertOnRootMappedByTargets_PreviewsTheLogDirectoryAndNobodyIsPaged()
    {
        _filesystem.UsedPercent = 97;
        await using var h = Harness(withTargets: true, DryRun);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.State.ShouldBe(IncidentState.DryRun);
        incident.Reason.ShouldBeNull();
        h.Notifier.Sent.ShouldBeEmpty();
        var preview = AuditJson.Read<PreviewPayload>((await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.DryRun))!;
        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes.ShouldHaveSingleItem().ShouldStartWith($"compress {_oldLog}");
        preview.Premise.ShouldNotBeNull().Observed.ShouldStartWith($"mountpoint '/' maps to {_logs}");
        File.Exists(_oldLog).ShouldBeTrue();
        await AuditVerifiesAndReplaysAsync(h, incident);
    }

    [Fact]
    public async Task Live_PremiseNotMet_ChangesNothingAndEscalatesWithWhatWasSeen()
    {
        _filesystem.UsedPercent = 16;
        await using var h = Harness(withTargets: true);
        var before = File.ReadAllBytes(_oldLog);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        incident.Detail!.ShouldContain("16% used");
        incident.Detail!.ShouldContain("suspected misclassification");
        File.ReadAllBytes(_oldLog).ShouldBe(before);
        Directory.GetFiles(_logs).ShouldBe([_oldLog]);

        var notice = h.Notifier.Sent.ShouldHaveSingleItem();
        notice.Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        notice.Detail.ShouldContain("below max_used_percent 60%");

        var records = await h.AuditAsync(incident.Id);
        var executed = AuditJson.Read<ActionExecutedPayload>(records.Single(r => r.Type == AuditTypes.ActionExecuted))!;
        executed.Status.ShouldBe(ActionStatus.PremiseNotMet);
        executed.Changes.ShouldBeEmpty();
        var escalated = AuditJson.Read<EscalatedPayload>(records.Single(r => r.Type == AuditTypes.Escalated))!;
        escalated.Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        escalated.Observed.ShouldNotBeNull().ShouldContain($"{_logs}'s filesystem is 16% used");

        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();
        h.Verifier.Checked.ShouldBeEmpty();
        await AuditVerifiesAndReplaysAsync(h, await h.IncidentAsync(incident.Id));
    }

    [Fact]
    public async Task DryRun_PremiseNotMet_EscalatesPremiseNotMet()
    {
        _filesystem.UsedPercent = 16;
        await using var h = Harness(withTargets: true, DryRun);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        File.Exists(_oldLog).ShouldBeTrue();
        await AuditVerifiesAndReplaysAsync(h, incident);
    }

    [Fact]
    public async Task Live_TargetNotResolvable_IsANotApplicableNotificationNotAFailedAction()
    {
        await using var h = Harness(withTargets: false);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.NotApplicable);
        h.Notifier.Sent.ShouldHaveSingleItem().Reason.ShouldBe(EscalationReasons.NotApplicable);
        var records = await h.AuditAsync(incident.Id);
        AuditJson.Read<ActionExecutedPayload>(records.Single(r => r.Type == AuditTypes.ActionExecuted))!.Status.ShouldBe(ActionStatus.NotApplicable);
        records.Select(r => AuditJson.Read<EscalatedPayload>(r)?.Reason).ShouldNotContain(EscalationReasons.ActionFailed);
        File.Exists(_oldLog).ShouldBeTrue();
        await AuditVerifiesAndReplaysAsync(h, incident);
    }

    [Fact]
    public async Task Live_PremiseHolds_ActsAndRecordsWhatItSaw()
    {
        _filesystem.UsedPercent = 97;
        await using var h = Harness(withTargets: true);

        var incident = await h.HandleAsync(NodeDiskAlertOnRoot());

        incident.State.ShouldBe(IncidentState.Verifying);
        File.Exists(_oldLog).ShouldBeFalse();
        var records = await h.AuditAsync(incident.Id);
        var executed = AuditJson.Read<ActionExecutedPayload>(records.Single(r => r.Type == AuditTypes.ActionExecuted))!;
        executed.Status.ShouldBe(ActionStatus.Succeeded);
        executed.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.Holds);
        await AuditVerifiesAndReplaysAsync(h, incident);
    }

    [Fact]
    public async Task Live_PremiseGoneBetweenPreviewAndExecution_EscalatesPremiseNotMetAndNeverVerifies()
    {
        var action = new PremiseScriptedAction(KnownActions.RotateAndCompressLogs);
        await using var h = Harness(withTargets: false, action: action);

        var incident = await h.HandleAsync(SignalBuilder.DiskFull());

        action.Executions.ShouldBe(1);
        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.PremiseNotMet);
        incident.Detail!.ShouldContain("/var/log holds 1Ki, within its budget 5Gi");
        var executed = AuditJson.Read<ActionExecutedPayload>((await h.AuditAsync(incident.Id)).Single(r => r.Type == AuditTypes.ActionExecuted))!;
        executed.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotMet);
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.RunUntilIdleAsync();
        h.Verifier.Checked.ShouldBeEmpty();
        await AuditVerifiesAndReplaysAsync(h, await h.IncidentAsync(incident.Id));
    }

    private sealed class QuietOrFullFilesystem : IFilesystemUsage
    {
        public double UsedPercent { get; set; } = 50;

        public FilesystemUse Measure(string path) => new(1L << 40, (long)((1L << 40) * (100 - UsedPercent) / 100));
    }

    /// <summary>Its preview sees the premise hold; by the time it executes, the fault has gone.</summary>
    private sealed class PremiseScriptedAction(ActionDescriptor descriptor) : IRemediationAction
    {
        public int Executions { get; private set; }

        public ActionDescriptor Descriptor { get; } = descriptor;

        public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ActionPreview(true, "would compress 1 log", ["compress /var/log/app.log"])
            {
                Premise = new PremiseObservation(PremiseVerdict.Holds, "/var/log holds 9Gi, over its budget 5Gi"),
            });

        public Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
        {
            Executions++;
            return Task.FromResult(ActionOutcome.PremiseNotMet("/var/log holds 1Ki, within its budget 5Gi"));
        }
    }
}

using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Kubernetes.Sources;
using Homeostat.Remediation;
using Homeostat.TestKit;
using k8s.Models;

namespace Homeostat.Kubernetes.Tests;

/// <summary>
/// A crash loop is Kubernetes already restarting the container. Only when the last termination was an OOM kill is there
/// something Homeostat knows how to fix; any other crash loop goes to a human, through the real classifier and engine.
/// </summary>
public sealed class CrashLoopTests
{
    private static readonly PodOwner Checkout = new("Deployment", "checkout");

    [Fact]
    public async Task CrashLoop_LastTerminationError_ClassifiedUnknownAndEscalatedWithoutAnyAction()
    {
        var signal = Single(PodStates.CrashLooping("app", "Error", exitCode: 1));
        signal.Title.ShouldBe(PodSignals.CrashLoopBackOff);
        signal.Label("last_reason").ShouldBe("Error");
        signal.Label("last_exit_code").ShouldBe("1");
        signal.Text.ShouldNotBeNull();
        signal.Text.ShouldNotContain("no space left", customMessage: "the container's own message is not classifiable evidence");

        await using var harness = new PipelineHarness();
        var incident = await harness.HandleAsync(signal);

        incident.Classification!.Class.ShouldBe(Classification.Unknown);
        incident.State.ShouldBe(IncidentState.Escalated);
        incident.Reason.ShouldBe(EscalationReasons.UnknownClass);
        harness.Actions.Values.ShouldAllBe(a => a.Executed.Count == 0 && a.Previewed.Count == 0);
        harness.Notifier.Sent.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("Error", 137)]
    [InlineData("ContainerCannotRun", 128)]
    [InlineData("Completed", 0)]
    public void CrashLoop_AnyLastTerminationButOomKilled_IsUnknown(string reason, int exitCode) =>
        PodStates.Classify(Single(PodStates.CrashLooping("app", reason, exitCode))).ShouldBe(Classification.Unknown);

    [Fact]
    public async Task CrashLoop_LastTerminationOomKilled_IsOneOomSignalAndActsOnIt()
    {
        var pod = Pod(PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 4, crashLooping: true));
        var findings = PodSignals.From(pod, Checkout);
        var signal = findings.ShouldHaveSingleItem().Signal;
        signal.Title.ShouldBe(PodSignals.OomKilled);
        signal.Label("crash_loop").ShouldBe("true");
        signal.Label("exit_code").ShouldBe("137");

        await using var harness = new PipelineHarness();
        var incident = await harness.HandleAsync(signal);

        incident.Classification!.Class.ShouldBe(FailureClasses.Oom);
        harness.Actions[KnownActions.ScaleMemoryLimit.Name].Executed.ShouldHaveSingleItem();
    }

    private static Homeostat.Signals.Signal Single(Action<V1Pod> state) => PodSignals.From(Pod(state), Checkout).ShouldHaveSingleItem().Signal;

    private static V1Pod Pod(Action<V1Pod> state)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "checkout-7d9f-x2k4p", NamespaceProperty = "shop", Uid = "uid-1", CreationTimestamp = PodStates.FirstKill.AddHours(-1) },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }], NodeName = "node-3" },
        };
        state(pod);
        return pod;
    }
}

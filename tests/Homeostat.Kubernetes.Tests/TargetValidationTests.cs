using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using Homeostat.Signals;

namespace Homeostat.Kubernetes.Tests;

/// <summary>
/// Everything in a signal is untrusted: a hostile or out-of-scope target is not applicable (a notification with the reason,
/// never a failed action) and is decided before any API call.
/// </summary>
public sealed class TargetValidationTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    public static TheoryData<string, string, string> Hostile => new()
    {
        { "shop", "../x", "not a valid Kubernetes object name" },
        { "shop", "Bad_Name", "not a valid Kubernetes object name" },
        { "shop", "a;b", "not a valid Kubernetes object name" },
        { "shop", "../../../api/v1/nodes/node-3", "not a valid Kubernetes object name" },
        { "shop", "checkout?dryRun=All", "not a valid Kubernetes object name" },
        { "kube-system", "checkout", "not in Kubernetes:AllowedNamespaces" },
        { "../x", "checkout", "not a valid Kubernetes namespace name" },
        { "Shop", "checkout", "not a valid Kubernetes namespace name" },
        { "a;b", "checkout", "not a valid Kubernetes namespace name" },
    };

    private IEnumerable<IRemediationAction> NamespacedActions() =>
    [
        new RestartWorkloadAction(_cluster.Client, _cluster.Monitor, _cluster.Time),
        new ScaleReplicasAction(_cluster.Client, _cluster.Monitor),
        new DeletePodAction(_cluster.Client, _cluster.Monitor),
        new ScaleMemoryLimitAction(_cluster.Client, _cluster.Monitor),
    ];

    private static ActionRequest Request(IRemediationAction action, Signal signal) =>
        TestCluster.Request(signal, action.Descriptor.Name, ("max", 5L), ("max_increase", TestCluster.Size("512Mi")));

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task ExecuteAndPreview_HostileTarget_NotApplicableWithNoApiCall(string ns, string name, string expected)
    {
        foreach (var action in NamespacedActions())
        {
            // Each action reads the hostile name from the label it acts on: a pod for delete_pod, a workload or a pod for the rest.
            foreach (var label in action is DeletePodAction ? ["pod"] : new[] { "deployment", "statefulset", "pod" })
            {
                var signal = TestCluster.Alert(("namespace", ns), (label, name), ("container", "app"));

                var outcome = await action.ExecuteAsync(Request(action, signal), default);
                var preview = await action.PreviewAsync(Request(action, signal), default);

                outcome.Status.ShouldBe(ActionStatus.NotApplicable, $"{action.Descriptor.Name} ({label}): {outcome.Summary}");
                outcome.Summary.ShouldStartWith("not applicable: ");
                outcome.Summary.ShouldContain(expected);
                outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotApplicable, outcome.Summary["not applicable: ".Length..]));
                preview.CanRun.ShouldBeFalse();
                preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
            }
        }

        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("Bad_Name")]
    [InlineData("a;b")]
    public async Task ExecuteAsync_HostileNodeName_NotApplicableWithNoApiCall(string node)
    {
        var action = new CordonNodeAction(_cluster.Client, _cluster.Monitor);

        var outcome = await action.ExecuteAsync(TestCluster.Request(TestCluster.Alert(("node", node)), "cordon_node"), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("not a valid Kubernetes node name");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("a;b")]
    public async Task ExecuteAsync_HostileContainerName_NotApplicableWithNoApiCall(string container)
    {
        var signal = TestCluster.Alert(("namespace", "shop"), ("pod", "checkout-7d9f-x2k4p"), ("container", container));
        var action = new ScaleMemoryLimitAction(_cluster.Client, _cluster.Monitor);

        var outcome = await action.ExecuteAsync(Request(action, signal), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("not a valid Kubernetes container name");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_TwoDifferentNamespaces_NotApplicableWithNoApiCall()
    {
        var signal = TestCluster.Alert(("namespace", "shop"), ("deployment", "checkout")) with
        {
            Resource = new SignalResource { Namespace = "kube-system", Kind = "Deployment", Name = "checkout" },
        };
        var action = new RestartWorkloadAction(_cluster.Client, _cluster.Monitor, _cluster.Time);

        var outcome = await action.ExecuteAsync(Request(action, signal), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("two namespaces");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_EmptyAllowlist_RefusesEveryNamespace()
    {
        var action = new DeletePodAction(_cluster.Client, Homeostat.TestKit.StaticOptionsMonitor.Of(new KubernetesOptions { Enabled = true }));

        var outcome = await action.ExecuteAsync(TestCluster.Request(TestCluster.OomInCheckoutPod(), "delete_pod"), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("AllowedNamespaces is empty");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("checkout", true)]
    [InlineData("web.v2", true)]
    [InlineData("a", true)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a..b", false)]
    [InlineData("", false)]
    public void IsSubdomain_Name_FollowsDns1123(string name, bool valid) => KubernetesNames.IsSubdomain(name).ShouldBe(valid);

    [Fact]
    public void IsLabel_LongerThan63_IsRejected()
    {
        KubernetesNames.IsLabel(new string('a', 63)).ShouldBeTrue();
        KubernetesNames.IsLabel(new string('a', 64)).ShouldBeFalse();
        KubernetesNames.IsLabel("web.v2").ShouldBeFalse();
    }
}

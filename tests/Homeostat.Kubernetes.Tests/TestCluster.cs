using System.Text.Json.Nodes;
using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Kubernetes.Tests;

/// <summary>
/// The shop cluster every test starts from: namespace <c>shop</c> (allowlisted) with Deployment checkout (2 replicas, container
/// app limited to 512Mi, requesting 256Mi) → ReplicaSet checkout-7d9f → Pod checkout-7d9f-x2k4p, StatefulSet db, a bare pod
/// debug, node node-3 (Ready, no pressure), and cert-manager Certificate api-tls (Ready, notAfter 2026-11-28 20:00: ten hours
/// left, cert-manager has not renewed it). The clock reads 2026-11-28 10:00 UTC. Every pod starts healthy-looking (Running,
/// no container statuses); the helpers below write what the kubelet would report when a premise holds.
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public const string CertificateNotAfter = "2026-11-28T20:00:00Z";

    public FakeApiServer Server { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(Start);

    public KubernetesOptions Options { get; } = new() { Enabled = true, AllowedNamespaces = ["shop"], AllowNodeActions = true };

    public StaticOptionsMonitor<KubernetesOptions> Monitor => StaticOptionsMonitor.Of(Options);

    public async Task InitializeAsync()
    {
        Server = await FakeApiServer.StartAsync();
        Client = Server.CreateClient();
        Server.Seed(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "checkout", NamespaceProperty = "shop", Uid = "dep-uid" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "checkout" } },
                Template = PodTemplate("checkout"),
            },
        });
        Server.Seed(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = "checkout-7d9f",
                NamespaceProperty = "shop",
                Uid = "rs-uid",
                OwnerReferences = [Owner("Deployment", "checkout", "dep-uid")],
            },
            Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "checkout" } }, Template = PodTemplate("checkout") },
        });
        Server.Seed(Pod("checkout-7d9f-x2k4p", Owner("ReplicaSet", "checkout-7d9f", "rs-uid")));
        Server.Seed(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "shop", Uid = "sts-uid" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 1,
                ServiceName = "db",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = PodTemplate("db"),
            },
        });
        Server.Seed(Pod("db-0", Owner("StatefulSet", "db", "sts-uid")));
        Server.Seed(Pod("debug", owner: null));
        Server.Seed(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "node-3" },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus
            {
                Conditions =
                [
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", Reason = "KubeletHasSufficientMemory" },
                    new V1NodeCondition { Type = "DiskPressure", Status = "False", Reason = "KubeletHasNoDiskPressure" },
                    new V1NodeCondition { Type = "PIDPressure", Status = "False", Reason = "KubeletHasSufficientPID" },
                    new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" },
                ],
            },
        });
        Server.Seed("certificates", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "api-tls", ["namespace"] = "shop" },
            ["spec"] = new JsonObject
            {
                ["secretName"] = "api-tls",
                ["dnsNames"] = new JsonArray("api.shop.example"),
                ["issuerRef"] = new JsonObject { ["name"] = "letsencrypt", ["kind"] = "ClusterIssuer" },
            },
            ["status"] = new JsonObject
            {
                ["notAfter"] = CertificateNotAfter,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "Ready",
                    ["message"] = "Certificate is up to date and has not expired",
                    ["lastTransitionTime"] = "2026-09-01T00:00:00Z",
                }),
            },
        });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    public V1Deployment Checkout => Server.Get<V1Deployment>("shop", "checkout")!;

    public const string CheckoutPod = "checkout-7d9f-x2k4p";

    /// <summary>The kubelet's report after container app of <paramref name="pod"/> was OOM-killed and restarted (the kill in lastState).</summary>
    public void OomKill(string pod = CheckoutPod, bool crashLooping = false) =>
        Server.Modify<V1Pod>("shop", pod, PodStates.OomKilledAndRestarted("app", PodStates.FirstKill, restartCount: 1, crashLooping));

    /// <summary>The kubelet's report of a healthy pod: Ready, both containers running and ready, no restarts.</summary>
    public void Healthy(string pod = CheckoutPod) =>
        Server.Modify<V1Pod>("shop", pod, p =>
        {
            p.Status = new V1PodStatus
            {
                Phase = "Running",
                Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }],
                ContainerStatuses = new[] { "app", "sidecar" }.Select(c => new V1ContainerStatus
                {
                    Name = c,
                    Image = $"registry.example/{c}:1.0",
                    ImageID = "",
                    Ready = true,
                    RestartCount = 0,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Start.UtcDateTime.AddHours(-3) } },
                }).ToList(),
            };
        });

    /// <summary>
    /// What metrics-server reports for <paramref name="pod"/> (a <c>metrics.k8s.io/v1beta1</c> PodMetrics): container app's
    /// working set as <paramref name="memory"/>. Without this the metrics API answers 404, as in a cluster without metrics-server.
    /// </summary>
    public void WorkingSet(string memory, string pod = CheckoutPod) =>
        Server.Seed("podmetrics", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = pod, ["namespace"] = "shop", ["labels"] = new JsonObject { ["app"] = pod.Split('-')[0] } },
            ["timestamp"] = "2026-11-28T09:59:45Z",
            ["window"] = "15s",
            ["containers"] = new JsonArray(
                new JsonObject { ["name"] = "app", ["usage"] = new JsonObject { ["cpu"] = "120m", ["memory"] = memory } },
                new JsonObject { ["name"] = "sidecar", ["usage"] = new JsonObject { ["cpu"] = "3m", ["memory"] = "21Mi" } }),
        });

    /// <summary>The kubelet reports DiskPressure on node-3 (its image filesystem is nearly full).</summary>
    public void DiskPressure(string node = "node-3") =>
        Server.Modify<V1Node>(null, node, n =>
        {
            foreach (var condition in n.Status.Conditions.Where(c => c.Type == "DiskPressure"))
            {
                condition.Status = "True";
                condition.Reason = "KubeletHasDiskPressure";
            }
        });

    public static ActionRequest Request(Signal signal, string action, params (string Name, object? Value)[] parameters) =>
        new("inc-1", signal, new RemediationSpec
        {
            Class = "test",
            Action = action,
            ConfidenceFloor = 0.9,
            Parameters = new ActionParameters(parameters.ToDictionary(p => p.Name, p => p.Value)),
            Location = new SourceLocation("catalog.yaml", 1, 1),
        });

    public static Signal Alert(params (string Name, string Value)[] labels) => new()
    {
        Id = "sig-1",
        Source = SignalSources.Alertmanager,
        Service = "checkout",
        Title = "test",
        Labels = labels.ToDictionary(l => l.Name, l => l.Value),
    };

    public static Signal OomInCheckoutPod() =>
        Alert(("alertname", "KubeContainerOOMKilled"), ("namespace", "shop"), ("pod", "checkout-7d9f-x2k4p"), ("container", "app"));

    public static ByteSize Size(string text) => ByteSize.Parse(text);

    public static Duration Interval(string text) => Duration.Parse(text);

    private static V1PodTemplateSpec PodTemplate(string app) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = $"registry.example/{app}:1.0",
                    Resources = new V1ResourceRequirements
                    {
                        Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("512Mi") },
                        Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                    },
                },
                new V1Container { Name = "sidecar", Image = "registry.example/proxy:1.0" },
            ],
        },
    };

    public static V1OwnerReference Owner(string kind, string name, string uid) =>
        new() { ApiVersion = "apps/v1", Kind = kind, Name = name, Uid = uid, Controller = true };

    public static V1Pod Pod(string name, V1OwnerReference? owner) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "shop",
            Uid = $"uid-{name}",
            OwnerReferences = owner is null ? null : [owner],
            Labels = new Dictionary<string, string> { ["app"] = owner is null ? name : owner.Name.Split('-')[0] },
        },
        Spec = PodTemplate("checkout").Spec,
        Status = new V1PodStatus { Phase = "Running" },
    };
}

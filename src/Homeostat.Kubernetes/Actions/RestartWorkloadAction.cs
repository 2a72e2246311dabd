using System.Globalization;
using System.Text.Json.Nodes;
using Homeostat.Primitives;
using Homeostat.Remediation;
using k8s;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// kubectl rollout restart: stamps <c>kubectl.kubernetes.io/restartedAt</c> on the pod template (strategic merge patch), so the
/// controller rolls every pod. A restart is never idempotent by nature, so a restart stamped within min_interval counts as done.
/// Its premise (a fault inside the running processes) is not observable here; a target that is not a workload is not applicable.
/// </summary>
public sealed class RestartWorkloadAction(IKubernetes client, IOptionsMonitor<KubernetesOptions> options, TimeProvider timeProvider)
    : KubernetesAction<ObjectTarget>(client, options)
{
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.RestartWorkload;

    protected override bool TryTarget(ActionRequest request, out ObjectTarget target, out string problem) =>
        KubernetesTargets.TryWorkloadOrPod(request.Signal, Options, out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, ObjectTarget target, CancellationToken cancellationToken)
    {
        var resolution = await Workloads.ResolveTargetAsync(Client, target, cancellationToken);
        if (resolution.Workload is not { } workload)
        {
            return resolution.Unresolved();
        }

        var minInterval = request.Parameters.Duration("min_interval") ?? Duration.Parse("5m");
        var now = timeProvider.GetUtcNow();
        var previous = Workloads.Annotation(workload.Template.Metadata, RestartedAtAnnotation);
        if (previous is not null
            && DateTimeOffset.TryParse(previous, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var restartedAt)
            && restartedAt <= now
            && now - restartedAt < minInterval.Value)
        {
            return KubernetesPlan.NoChange($"{workload} was restarted at {previous}, less than min_interval {minInterval} ago");
        }

        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RestartedAtAnnotation] = stamp } },
                },
            },
        };
        return KubernetesPlan.Change(
            $"rollout-restart {workload}",
            [$"{workload}: spec.template.metadata.annotations[{RestartedAtAnnotation}]: {previous ?? "(unset)"} -> {stamp}"],
            (dryRun, ct) => Workloads.PatchAsync(Client, workload, patch, dryRun, ct));
    }
}

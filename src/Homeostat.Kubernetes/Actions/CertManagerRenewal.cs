using System.Globalization;
using System.Text.Json.Nodes;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// The Kubernetes half of <c>trigger_cert_renewal</c>: marks a cert-manager Certificate for re-issuance the way
/// <c>cmctl renew</c> does, by adding the status condition <c>Issuing=True</c> (reason <c>ManuallyTriggered</c>) through the
/// status subresource. cert-manager's issuing controller then issues a new certificate; checking the new expiry is its job,
/// so the outcome reports the Certificate's current <c>status.notAfter</c>. A Certificate already being issued is NoChange.
/// Premise: <c>status.notAfter</c> is less than <c>min_remaining</c> from now (or the Certificate was never issued); a
/// Certificate valid for longer is left alone (premise_not_met). A signal that names no Certificate, or one that does not
/// exist in an allowlisted namespace, is not applicable.
/// </summary>
public sealed class CertManagerRenewal(IKubernetes client, IOptionsMonitor<KubernetesOptions> options, TimeProvider timeProvider)
    : KubernetesAction<ObjectTarget>(client, options), ICertManagerRenewal
{
    public const string Group = "cert-manager.io";
    public const string Version = "v1";
    public const string Plural = "certificates";
    public const string Kind = "Certificate";
    public const string Reason = "ManuallyTriggered";
    public const string Message = "Certificate re-issuance manually triggered by Homeostat";

    public override ActionDescriptor Descriptor => KubernetesActionDescriptors.TriggerCertRenewal;

    /// <summary>min_remaining when the request carries none (the catalog fills in the parameter's default).</summary>
    public static readonly Duration DefaultMinRemaining = (Duration)KnownActions.TriggerCertRenewal.Parameter("min_remaining")!.Default!;

    protected override bool TryTarget(ActionRequest request, out ObjectTarget target, out string problem) =>
        KubernetesTargets.TryObject(request.Signal, Options, [Kind], out target, out problem);

    protected override async Task<KubernetesPlan> PlanAsync(ActionRequest request, ObjectTarget target, CancellationToken cancellationToken)
    {
        var certificate = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
            Group, Version, target.Namespace, Plural, target.Name, cancellationToken: cancellationToken);
        var name = $"certificate {target.Namespace}/{target.Name}";
        var notAfter = certificate["status"]?["notAfter"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        var expiry = notAfter is null ? "status.notAfter is not set (never issued)" : $"current status.notAfter {notAfter}";
        var minRemaining = request.Parameters.Duration("min_remaining") ?? DefaultMinRemaining;
        string observed;
        if (notAfter is null)
        {
            observed = $"{name} has no status.notAfter: it was never issued";
        }
        else if (!DateTimeOffset.TryParse(notAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
        {
            return KubernetesPlan.Refuse($"refused: {name} has status.notAfter '{notAfter}', which is not a time");
        }
        else
        {
            var remaining = expires - timeProvider.GetUtcNow();
            var when = expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            if (remaining >= minRemaining.Value)
            {
                return KubernetesPlan.PremiseNotMet($"{name} is valid until {when}, {Rounded(remaining)} from now, longer than min_remaining {minRemaining}");
            }

            observed = remaining <= TimeSpan.Zero
                ? $"{name} expired at {when}, {Rounded(-remaining)} ago"
                : $"{name} expires at {when}, {Rounded(remaining)} from now, within min_remaining {minRemaining}";
        }

        var conditions = certificate["status"]?["conditions"] as JsonArray ?? [];
        var issuing = conditions.OfType<JsonObject>().FirstOrDefault(c => Text(c["type"]) == "Issuing");
        if (issuing is not null && Text(issuing["status"]) == "True")
        {
            return KubernetesPlan.NoChange(
                $"{name} is already being re-issued (condition Issuing=True, reason {Text(issuing["reason"]) ?? "(none)"}); {expiry}; cert-manager issues and verifies the new certificate")
                .Observed(observed);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var condition = new JsonObject
        {
            ["type"] = "Issuing",
            ["status"] = "True",
            ["reason"] = Reason,
            ["message"] = Message,
            ["lastTransitionTime"] = now,
        };
        if (certificate["metadata"]?["generation"] is JsonValue generation)
        {
            condition["observedGeneration"] = generation.DeepClone();
        }

        // A merge patch replaces lists whole, so the patch carries every condition (an Issuing=False one replaced), guarded by the
        // resourceVersion read: a concurrent status write makes it fail with 409 and the plan is made again.
        var updated = new JsonArray();
        foreach (var existing in conditions)
        {
            if (existing is JsonObject o && Text(o["type"]) == "Issuing")
            {
                continue;
            }

            updated.Add(existing?.DeepClone());
        }

        updated.Add(condition);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = certificate["metadata"]?["resourceVersion"]?.DeepClone() },
            ["status"] = new JsonObject { ["conditions"] = updated },
        };
        var body = new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch);
        var before = issuing is null ? "(absent)" : $"Issuing={Text(issuing["status"]) ?? "(unset)"}";
        return KubernetesPlan.Change(
            $"mark {name} for re-issuance (status condition Issuing=True, reason {Reason}, as cmctl renew does); {expiry}; cert-manager issues and verifies the new certificate",
            [$"{name}: status.conditions[type=Issuing]: {before} -> {condition.ToJsonString()}"],
            (dryRun, ct) => Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(
                body, Group, Version, target.Namespace, Plural, target.Name, dryRun: DryRun(dryRun), fieldManager: Workloads.FieldManager, cancellationToken: ct))
            .Observed(observed);
    }

    /// <summary>A time left or past, to the minute ("1d14h", "9h30m"), as catalogs write durations.</summary>
    private static Duration Rounded(TimeSpan span) => new(TimeSpan.FromMinutes(Math.Floor(span.TotalMinutes)));

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Healing;

namespace Homeostat.Guardrails;

public enum VerdictKind
{
    /// <summary>This guardrail lets the action go ahead.</summary>
    Pass,

    /// <summary>Stop here and send the incident to a human with <see cref="GuardrailVerdict.EscalationReason"/>.</summary>
    Escalate,

    /// <summary>Go ahead, but only preview: record the plan and change nothing.</summary>
    DryRun,

    /// <summary>Go ahead once a human approves.</summary>
    RequireApproval,
}

/// <summary>One guardrail's answer and its reason, as the audit trail records it.</summary>
public sealed record GuardrailVerdict(string Guardrail, VerdictKind Kind, string Reason)
{
    public string? EscalationReason { get; init; }

    /// <summary>Suspend this remediation for this service along with escalating (the rate limit does).</summary>
    public bool SuspendRemediation { get; init; }

    public static GuardrailVerdict Pass(string guardrail, string reason) => new(guardrail, VerdictKind.Pass, reason);

    public static GuardrailVerdict Escalate(string guardrail, string escalationReason, string reason) =>
        new(guardrail, VerdictKind.Escalate, reason) { EscalationReason = escalationReason };
}

/// <summary>What a guardrail may look at. <see cref="Store"/> is the transaction the decision is written in.</summary>
public sealed record GuardrailContext(Incident Incident, Classification Classification, RemediationSpec? Remediation, DateTimeOffset Now, IStoreWriter Store)
{
    public string Service => Incident.Service;
}

/// <summary>One check between a classification and an action. Guardrails run in a fixed order; the first escalation stops the rest.</summary>
public interface IGuardrail
{
    string Name { get; }

    /// <summary>Where the guardrail runs: lowest first (ties by name). The built-in ones take <see cref="GuardrailNames.OrderOf"/>.</summary>
    int Order => GuardrailNames.OrderOf(Name);

    ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken);
}

public static class GuardrailNames
{
    public const string RemediationExists = "remediation_exists";
    public const string Auto = "auto";
    public const string ConfidenceFloor = "confidence_floor";
    public const string KillSwitch = "kill_switch";
    public const string Suspension = "suspension";
    public const string RateLimit = "rate_limit";
    public const string BlastRadius = "blast_radius";
    public const string DryRun = "dry_run";
    public const string ShadowPeriod = "shadow_period";
    public const string Approval = "approval";

    /// <summary>The order the architecture fixes.</summary>
    public static readonly IReadOnlyList<string> Order =
        [RemediationExists, Auto, ConfidenceFloor, KillSwitch, Suspension, RateLimit, BlastRadius, DryRun, ShadowPeriod, Approval];

    /// <summary>A guardrail with no place in <see cref="Order"/> (an embedder's own) runs after the built-in ones.</summary>
    public const int AfterBuiltIn = 10_000;

    /// <summary>The declared order of a built-in guardrail (100, 200, ...), or <see cref="AfterBuiltIn"/>.</summary>
    public static int OrderOf(string name)
    {
        for (var i = 0; i < Order.Count; i++)
        {
            if (Order[i] == name)
            {
                return (i + 1) * 100;
            }
        }

        return AfterBuiltIn;
    }
}

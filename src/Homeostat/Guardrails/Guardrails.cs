using System.Globalization;
using Homeostat.Audit;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Microsoft.Extensions.Options;

namespace Homeostat.Guardrails;

public sealed class RemediationExistsGuardrail : IGuardrail
{
    public string Name => GuardrailNames.RemediationExists;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context switch
        {
            { Classification: { IsUnknown: true, EscalationReason: { } reason } } => GuardrailVerdict.Escalate(Name, reason, context.Classification.Reasoning),
            { Classification.IsUnknown: true } => GuardrailVerdict.Escalate(Name, EscalationReasons.UnknownClass, "the signal could not be classified; unknown always goes to a human"),
            { Remediation: null } => GuardrailVerdict.Escalate(Name, EscalationReasons.NoRemediation, $"the catalog has no remediation for class '{context.Classification.Class}'"),
            _ => GuardrailVerdict.Pass(Name, $"class '{context.Classification.Class}' maps to action '{context.Remediation.Action}' ({context.Remediation.Location})"),
        });
}

public sealed class AutoGuardrail : IGuardrail
{
    public string Name => GuardrailNames.Auto;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Remediation!.Auto
            ? GuardrailVerdict.Pass(Name, "the remediation is marked auto: true")
            : GuardrailVerdict.Escalate(Name, EscalationReasons.NotAuto, $"'{context.Remediation.Class}' is auto: false, so it only notifies"));
}

public sealed class ConfidenceFloorGuardrail : IGuardrail
{
    public string Name => GuardrailNames.ConfidenceFloor;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var confidence = context.Classification.Confidence;
        var floor = context.Remediation!.ConfidenceFloor;
        var comparison = $"confidence {Format(confidence)} against floor {Format(floor)}";
        return ValueTask.FromResult(confidence >= floor
            ? GuardrailVerdict.Pass(Name, comparison + " is high enough")
            : GuardrailVerdict.Escalate(Name, EscalationReasons.BelowFloor, comparison + " is too low to act without a human"));
    }

    private static string Format(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

public sealed class KillSwitchGuardrail(IOptionsMonitor<GuardrailOptions> options) : IGuardrail
{
    public string Name => GuardrailNames.KillSwitch;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (current.KillSwitch)
        {
            return ValueTask.FromResult(GuardrailVerdict.Escalate(Name, EscalationReasons.Maintenance, "the kill switch is on: no automatic action anywhere"));
        }

        var window = current.Maintenance.FirstOrDefault(w => w.Covers(context.Service, context.Now));
        return ValueTask.FromResult(window is null
            ? GuardrailVerdict.Pass(Name, "the kill switch is off and no maintenance window is open")
            : GuardrailVerdict.Escalate(Name, EscalationReasons.Maintenance,
                $"maintenance window {AuditChain.FormatTime(window.Start)} to {AuditChain.FormatTime(window.End)} covers '{context.Service}'{(window.Reason is null ? string.Empty : ": " + window.Reason)}"));
    }
}

public sealed class SuspensionGuardrail : IGuardrail
{
    public string Name => GuardrailNames.Suspension;

    public async ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var suspension = await context.Store.FindActiveSuspensionAsync(context.Service, context.Remediation!.Class, cancellationToken);
        return suspension is null
            ? GuardrailVerdict.Pass(Name, $"'{context.Remediation.Class}' is not suspended for '{context.Service}'")
            : GuardrailVerdict.Escalate(Name, EscalationReasons.Suspended,
                $"'{context.Remediation.Class}' is suspended for '{context.Service}' since {AuditChain.FormatTime(suspension.CreatedAt)} ({suspension.Reason}); resume it to act again");
    }
}

/// <summary>
/// Counts real executions of the action for the service in a sliding window from the audit trail. The attempt that
/// would exceed the limit escalates and suspends the remediation for that service: the same fix again and again
/// hides a real problem.
/// </summary>
public sealed class RateLimitGuardrail(IOptionsMonitor<GuardrailOptions> options) : IGuardrail
{
    public string Name => GuardrailNames.RateLimit;

    public async ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var remediation = context.Remediation!;
        var max = remediation.RateLimit?.Max ?? options.CurrentValue.RateLimit.Max;
        var window = remediation.RateLimit?.Per ?? options.CurrentValue.RateLimit.Per;
        var count = await context.Store.CountExecutionsAsync(context.Service, remediation.Action, context.Now - window.Value, cancellationToken);
        var description = $"{count} real run(s) of {remediation.Action} for '{context.Service}' in the last {window}, limit {max}";
        return count < max
            ? GuardrailVerdict.Pass(Name, description)
            : GuardrailVerdict.Escalate(Name, EscalationReasons.RateLimited, description + ": stopping and paging instead of repeating the fix") with { SuspendRemediation = true };
    }
}

public sealed class BlastRadiusGuardrail(IOptionsMonitor<GuardrailOptions> options) : IGuardrail
{
    public string Name => GuardrailNames.BlastRadius;

    public async ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var max = options.CurrentValue.BlastRadius.MaxInFlight;
        var inFlight = await context.Store.CountInFlightAsync(cancellationToken);
        var description = $"{inFlight} remediation(s) in flight, limit {max}";
        return inFlight < max
            ? GuardrailVerdict.Pass(Name, description)
            : GuardrailVerdict.Escalate(Name, EscalationReasons.BlastRadius, description + ": too many changes at once");
    }
}

public sealed class DryRunGuardrail(IOptionsMonitor<GuardrailOptions> options) : IGuardrail
{
    public string Name => GuardrailNames.DryRun;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        if (context.Remediation!.DryRun == true)
        {
            return ValueTask.FromResult(new GuardrailVerdict(Name, VerdictKind.DryRun, $"'{context.Remediation.Class}' sets dry_run: true"));
        }

        return ValueTask.FromResult(options.CurrentValue.DryRun
            ? new GuardrailVerdict(Name, VerdictKind.DryRun, "global dry-run is on (start with --live or set guardrails.dry_run: false to act)")
            : GuardrailVerdict.Pass(Name, "global dry-run is off"));
    }
}

/// <summary>A remediation whose spec is new or changed runs dry for its shadow period, unless an operator promoted it.</summary>
public sealed class ShadowPeriodGuardrail(IOptionsMonitor<GuardrailOptions> options) : IGuardrail
{
    public string Name => GuardrailNames.ShadowPeriod;

    public async ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var remediation = context.Remediation!;
        var period = remediation.ShadowPeriod ?? options.CurrentValue.ShadowPeriod;
        if (period.Value <= TimeSpan.Zero)
        {
            return GuardrailVerdict.Pass(Name, "the shadow period is zero");
        }

        var shadow = await context.Store.RegisterShadowAsync(remediation.Class, remediation.SpecHash, context.Now, cancellationToken);
        if (shadow.PromotedAt is { } promotedAt)
        {
            return GuardrailVerdict.Pass(Name, $"spec {remediation.SpecHash} was promoted by {shadow.PromotedBy} at {AuditChain.FormatTime(promotedAt)}");
        }

        var endsAt = shadow.FirstSeenAt + period.Value;
        return context.Now >= endsAt
            ? GuardrailVerdict.Pass(Name, $"spec {remediation.SpecHash} finished its {period} shadow period at {AuditChain.FormatTime(endsAt)}")
            : new GuardrailVerdict(Name, VerdictKind.DryRun, $"spec {remediation.SpecHash} is new or changed: shadow (dry-run) until {AuditChain.FormatTime(endsAt)} unless promoted");
    }
}

public sealed class ApprovalGuardrail : IGuardrail
{
    public string Name => GuardrailNames.Approval;

    public ValueTask<GuardrailVerdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context switch
        {
            { Remediation.RequiresApproval: false } => GuardrailVerdict.Pass(Name, "no approval required"),
            { Incident.ApprovedBy: { } approver } => GuardrailVerdict.Pass(Name, $"approved by {approver}"),
            _ => new GuardrailVerdict(Name, VerdictKind.RequireApproval, $"'{context.Remediation!.Class}' requires a human's approval before each action"),
        });
}

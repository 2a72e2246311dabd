namespace Homeostat.Guardrails;

public enum DecisionKind
{
    Act,
    DryRun,
    PendingApproval,
    Escalate,
}

/// <summary>What the guardrails decided together, with every verdict that led there.</summary>
public sealed record GuardrailDecision(DecisionKind Kind, IReadOnlyList<GuardrailVerdict> Verdicts)
{
    public GuardrailVerdict? Blocking => Verdicts.FirstOrDefault(v => v.Kind == VerdictKind.Escalate);

    public string? EscalationReason => Blocking?.EscalationReason;

    public string Detail => Kind switch
    {
        DecisionKind.Escalate => Blocking!.Reason,
        DecisionKind.DryRun => string.Join("; ", Verdicts.Where(v => v.Kind == VerdictKind.DryRun).Select(v => v.Reason)),
        DecisionKind.PendingApproval => Verdicts.First(v => v.Kind == VerdictKind.RequireApproval).Reason,
        _ => "every guardrail passed",
    };
}

/// <summary>Runs the guardrails in order. The first escalation stops the rest; dry-run wins over approval, which wins over acting.</summary>
public sealed class GuardrailPipeline(IEnumerable<IGuardrail> guardrails)
{
    private readonly IReadOnlyList<IGuardrail> _guardrails = Ordered(guardrails);

    public IReadOnlyList<string> Names => _guardrails.Select(g => g.Name).ToList();

    public async Task<GuardrailDecision> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken)
    {
        var verdicts = new List<GuardrailVerdict>();
        foreach (var guardrail in _guardrails)
        {
            var verdict = await guardrail.EvaluateAsync(context, cancellationToken);
            verdicts.Add(verdict);
            if (verdict.Kind == VerdictKind.Escalate)
            {
                return new GuardrailDecision(DecisionKind.Escalate, verdicts);
            }
        }

        if (verdicts.Any(v => v.Kind == VerdictKind.DryRun))
        {
            return new GuardrailDecision(DecisionKind.DryRun, verdicts);
        }

        return verdicts.Any(v => v.Kind == VerdictKind.RequireApproval)
            ? new GuardrailDecision(DecisionKind.PendingApproval, verdicts)
            : new GuardrailDecision(DecisionKind.Act, verdicts);
    }

    private static List<IGuardrail> Ordered(IEnumerable<IGuardrail> guardrails) =>
        guardrails.OrderBy(g => g.Order).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
}

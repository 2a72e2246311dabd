using System.Net;
using System.Text.Json;
using Homeostat.Remediation;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>
/// What one attempt found: a change to make (with its exact lines), nothing to do, a refusal, a premise that does not hold
/// on the target, or a target this action cannot touch. <see cref="Premise"/> is what was observed when the premise holds.
/// </summary>
public sealed record KubernetesPlan(KubernetesPlanKind Kind, string Summary, IReadOnlyList<string> Changes, Func<bool, CancellationToken, Task>? Apply)
{
    /// <summary>What the action saw of its premise on the target when it holds; null when the action cannot observe it.</summary>
    public string? Premise { get; init; }

    public static KubernetesPlan Change(string summary, IReadOnlyList<string> changes, Func<bool, CancellationToken, Task> apply) =>
        new(KubernetesPlanKind.Change, summary, changes, apply);

    public static KubernetesPlan NoChange(string why) => new(KubernetesPlanKind.NoChange, why, [], null);

    public static KubernetesPlan Refuse(string why) => new(KubernetesPlanKind.Refused, why, [], null);

    /// <summary>The premise was checked on the target and does not hold: <paramref name="observed"/> says what was seen.</summary>
    public static KubernetesPlan PremiseNotMet(string observed) => new(KubernetesPlanKind.PremiseNotMet, observed, [], null);

    /// <summary>The signal's target is nothing this action may touch (gone, or not something it acts on).</summary>
    public static KubernetesPlan NotApplicable(string reason) => new(KubernetesPlanKind.NotApplicable, reason, [], null);

    public KubernetesPlan Observed(string premise) => this with { Premise = premise };
}

public enum KubernetesPlanKind
{
    Change,
    NoChange,
    Refused,
    PremiseNotMet,
    NotApplicable,
}

/// <summary>
/// The shared shape of the Kubernetes actions: parameters are checked first (a bad one fails); the target is read from the
/// signal and checked before any API call, and a signal whose target is not something this action may touch (no target
/// named, a namespace outside the allowlist, an invalid name, an object that does not exist) is NotApplicable. A preview
/// reads, checks the premise, plans and sends the write with <c>dryRun=All</c> so the API server validates it without
/// persisting; execute reads, checks the premise again, plans and writes with the resourceVersion it read, and on 409
/// Conflict reads again (premise included) and re-plans, up to <see cref="MaxConflictRetries"/> times. A premise that does
/// not hold changes nothing. API refusals (403 Forbidden and the rest) become Failed outcomes carrying the API server's message.
/// </summary>
public abstract class KubernetesAction<TTarget>(IKubernetes client, IOptionsMonitor<KubernetesOptions> options) : IRemediationAction
    where TTarget : notnull
{
    public const int MaxConflictRetries = 3;

    protected IKubernetes Client { get; } = client;

    protected KubernetesOptions Options => options.CurrentValue;

    public abstract ActionDescriptor Descriptor { get; }

    /// <summary>Checks the catalog's parameters; a problem here is the catalog's, so the action fails.</summary>
    protected virtual bool TryParameters(ActionRequest request, out string problem)
    {
        problem = "";
        return true;
    }

    /// <summary>Reads the target from the untrusted signal and checks it. Makes no API call; a problem makes the action not applicable.</summary>
    protected abstract bool TryTarget(ActionRequest request, out TTarget target, out string problem);

    /// <summary>Reads the current state, checks the premise and decides what to change. Called again after every conflict.</summary>
    protected abstract Task<KubernetesPlan> PlanAsync(ActionRequest request, TTarget target, CancellationToken cancellationToken);

    public async Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryParameters(request, out var problem))
        {
            return ActionPreview.Refused(problem);
        }

        if (!TryTarget(request, out var target, out problem))
        {
            return ActionPreview.NotApplicable(Unprefixed(problem));
        }

        var plan = await ReadAndPlanAsync(request, target, cancellationToken);
        var premise = plan.Premise is null ? null : new PremiseObservation(PremiseVerdict.Holds, plan.Premise);
        switch (plan.Kind)
        {
            case KubernetesPlanKind.Refused:
                return ActionPreview.Refused(plan.Summary);
            case KubernetesPlanKind.PremiseNotMet:
                return ActionPreview.PremiseNotMet(plan.Summary);
            case KubernetesPlanKind.NotApplicable:
                return ActionPreview.NotApplicable(Unprefixed(plan.Summary));
            case KubernetesPlanKind.NoChange:
                return new ActionPreview(true, "nothing to do: " + plan.Summary, []) { Premise = premise };
        }

        try
        {
            await plan.Apply!(true, cancellationToken);
            return new ActionPreview(true, $"would {plan.Summary} (the API server accepted it as a dry run, dryRun=All)", plan.Changes) { Premise = premise };
        }
        catch (HttpOperationException exception)
        {
            return ActionPreview.Refused(Describe(exception, "the dry run"));
        }
        catch (HttpRequestException exception)
        {
            return ActionPreview.Refused($"the API server could not be reached: {exception.Message}");
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryParameters(request, out var problem))
        {
            return ActionOutcome.Failed(problem);
        }

        if (!TryTarget(request, out var target, out problem))
        {
            return ActionOutcome.NotApplicable(Unprefixed(problem));
        }

        for (var attempt = 0; ; attempt++)
        {
            // The premise is checked here, on what was just read, before anything is written.
            var plan = await ReadAndPlanAsync(request, target, cancellationToken);
            var premise = plan.Premise is null ? null : new PremiseObservation(PremiseVerdict.Holds, plan.Premise);
            switch (plan.Kind)
            {
                case KubernetesPlanKind.Refused:
                    return ActionOutcome.Failed(plan.Summary);
                case KubernetesPlanKind.PremiseNotMet:
                    return ActionOutcome.PremiseNotMet(plan.Summary);
                case KubernetesPlanKind.NotApplicable:
                    return ActionOutcome.NotApplicable(Unprefixed(plan.Summary));
                case KubernetesPlanKind.NoChange:
                    return new ActionOutcome(ActionStatus.NoChange, plan.Summary, []) { Premise = premise };
            }

            try
            {
                await plan.Apply!(false, cancellationToken);
            }
            catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.Conflict && attempt < MaxConflictRetries)
            {
                // Someone else changed the object since we read it: read it again and decide again.
                continue;
            }
            catch (HttpOperationException exception)
            {
                return ActionOutcome.Failed(Describe(exception, "the change"));
            }
            catch (HttpRequestException exception)
            {
                return ActionOutcome.Failed($"the API server could not be reached: {exception.Message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ActionOutcome.Failed("stopped by the time limit before the API server confirmed the change");
            }

            var retried = attempt == 0 ? "" : $" (after {attempt} conflict{(attempt == 1 ? "" : "s")}, re-read and re-applied)";
            return new ActionOutcome(ActionStatus.Succeeded, $"{plan.Summary}{retried}", plan.Changes) { Premise = premise };
        }
    }

    /// <summary>Reads and plans; a read the API server refuses is a plan too: not applicable on 404 (the target is gone), refused otherwise.</summary>
    private async Task<KubernetesPlan> ReadAndPlanAsync(ActionRequest request, TTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await PlanAsync(request, target, cancellationToken);
        }
        catch (HttpOperationException exception) when (IsNotFound(exception))
        {
            return KubernetesPlan.NotApplicable(Missing(exception));
        }
        catch (HttpOperationException exception)
        {
            return KubernetesPlan.Refuse(Describe(exception, "reading the target"));
        }
        catch (HttpRequestException exception)
        {
            return KubernetesPlan.Refuse($"the API server could not be reached: {exception.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return KubernetesPlan.Refuse("stopped by the time limit before the target was read");
        }
    }

    /// <summary>The target problems read "refused: …" where they fail an action; as a not-applicable reason the prefix is noise.</summary>
    private static string Unprefixed(string problem) =>
        problem.StartsWith(Refused, StringComparison.Ordinal) ? problem[Refused.Length..] : problem;

    private const string Refused = "refused: ";

    private static string Missing(HttpOperationException exception) =>
        $"the target does not exist: {StatusMessage(exception.Response?.Content) ?? exception.Message}";

    /// <summary>The API server's own words: the Status message when the body carries one.</summary>
    internal static string Describe(HttpOperationException exception, string what)
    {
        var status = exception.Response?.StatusCode;
        var message = StatusMessage(exception.Response?.Content) ?? exception.Message;
        var reason = status switch
        {
            HttpStatusCode.Forbidden => "forbidden",
            HttpStatusCode.NotFound => "not found",
            HttpStatusCode.Conflict => $"conflict persisted after {MaxConflictRetries} retries",
            HttpStatusCode.UnprocessableEntity => "invalid",
            _ => status is null ? "failed" : $"HTTP {(int)status.Value}",
        };
        return $"the API server refused {what} ({reason}): {message}";
    }

    internal static bool IsNotFound(HttpOperationException exception) => exception.Response?.StatusCode == HttpStatusCode.NotFound;

    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return content.Length > 300 ? content[..300] : content;
        }
    }

    protected static string? DryRun(bool dryRun) => dryRun ? "All" : null;
}

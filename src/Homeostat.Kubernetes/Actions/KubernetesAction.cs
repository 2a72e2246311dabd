using System.Net;
using System.Text.Json;
using Homeostat.Remediation;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Actions;

/// <summary>What one attempt found: a change to make (with its exact lines), nothing to do, or a refusal.</summary>
public sealed record KubernetesPlan(KubernetesPlanKind Kind, string Summary, IReadOnlyList<string> Changes, Func<bool, CancellationToken, Task>? Apply)
{
    public static KubernetesPlan Change(string summary, IReadOnlyList<string> changes, Func<bool, CancellationToken, Task> apply) =>
        new(KubernetesPlanKind.Change, summary, changes, apply);

    public static KubernetesPlan NoChange(string why) => new(KubernetesPlanKind.NoChange, why, [], null);

    public static KubernetesPlan Refuse(string why) => new(KubernetesPlanKind.Refused, why, [], null);
}

public enum KubernetesPlanKind
{
    Change,
    NoChange,
    Refused,
}

/// <summary>
/// The shared shape of the Kubernetes actions: targets are validated before any API call; a preview reads, plans and sends the
/// write with <c>dryRun=All</c> so the API server validates it without persisting; execute reads, plans and writes with the
/// resourceVersion it read, and on 409 Conflict reads again and re-plans, up to <see cref="MaxConflictRetries"/> times.
/// API refusals (403 Forbidden and the rest) become Failed outcomes carrying the API server's message.
/// </summary>
public abstract class KubernetesAction<TTarget>(IKubernetes client, IOptionsMonitor<KubernetesOptions> options) : IRemediationAction
    where TTarget : notnull
{
    public const int MaxConflictRetries = 3;

    protected IKubernetes Client { get; } = client;

    protected KubernetesOptions Options => options.CurrentValue;

    public abstract ActionDescriptor Descriptor { get; }

    /// <summary>Reads the target from the untrusted signal and checks it. Makes no API call.</summary>
    protected abstract bool TryTarget(ActionRequest request, out TTarget target, out string problem);

    /// <summary>Reads the current state and decides what to change. Called again after every conflict.</summary>
    protected abstract Task<KubernetesPlan> PlanAsync(ActionRequest request, TTarget target, CancellationToken cancellationToken);

    public async Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryTarget(request, out var target, out var problem))
        {
            return ActionPreview.Refused(problem);
        }

        try
        {
            var plan = await PlanAsync(request, target, cancellationToken);
            switch (plan.Kind)
            {
                case KubernetesPlanKind.Refused:
                    return ActionPreview.Refused(plan.Summary);
                case KubernetesPlanKind.NoChange:
                    return new ActionPreview(true, "nothing to do: " + plan.Summary, []);
            }

            await plan.Apply!(true, cancellationToken);
            return new ActionPreview(true, $"would {plan.Summary} (the API server accepted it as a dry run, dryRun=All)", plan.Changes);
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
        if (!TryTarget(request, out var target, out var problem))
        {
            return ActionOutcome.Failed(problem);
        }

        for (var attempt = 0; ; attempt++)
        {
            KubernetesPlan plan;
            try
            {
                plan = await PlanAsync(request, target, cancellationToken);
                switch (plan.Kind)
                {
                    case KubernetesPlanKind.Refused:
                        return ActionOutcome.Failed(plan.Summary);
                    case KubernetesPlanKind.NoChange:
                        return new ActionOutcome(ActionStatus.NoChange, plan.Summary, []);
                }

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
            return new ActionOutcome(ActionStatus.Succeeded, $"{plan.Summary}{retried}", plan.Changes);
        }
    }

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

using Homeostat.Catalog;
using Homeostat.Signals;

namespace Homeostat.Remediation;

/// <summary>
/// A reviewed, idempotent remediation. <see cref="PreviewAsync"/> says exactly what would change and changes nothing;
/// <see cref="ExecuteAsync"/> makes the change, and reports <see cref="ActionStatus.NoChange"/> when the state is already right.
/// </summary>
public interface IRemediationAction
{
    ActionDescriptor Descriptor { get; }

    Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken);

    Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken);
}

/// <summary>An action's name, what it does, and the parameters the catalog may give it.</summary>
public sealed record ActionDescriptor(string Name, string Description, IReadOnlyList<ParameterSpec> Parameters)
{
    /// <summary>Null when the action runs in this build; otherwise why it cannot (it then escalates with action_failed).</summary>
    public string? UnavailableReason { get; init; }

    public ParameterSpec? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

public sealed record ActionRequest(string IncidentId, Signal Signal, RemediationSpec Remediation)
{
    public ActionParameters Parameters => Remediation.Parameters;
}

public sealed record ActionPreview(bool CanRun, string Summary, IReadOnlyList<string> Changes)
{
    public static ActionPreview Refused(string reason) => new(false, reason, []);
}

public enum ActionStatus
{
    Succeeded,
    NoChange,
    Failed,
}

public sealed record ActionOutcome(ActionStatus Status, string Summary, IReadOnlyList<string> Changes)
{
    public static ActionOutcome Failed(string reason) => new(ActionStatus.Failed, reason, []);
}

/// <summary>The actions this process can run, looked up by the name the catalog uses.</summary>
public interface IActionRegistry
{
    IReadOnlyCollection<ActionDescriptor> Descriptors { get; }

    IRemediationAction? Find(string name);
}

public sealed class ActionRegistry : IActionRegistry
{
    private readonly Dictionary<string, IRemediationAction> _actions;

    public ActionRegistry(IEnumerable<IRemediationAction> actions)
    {
        _actions = new Dictionary<string, IRemediationAction>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            // Later registrations win, so an adapter project can replace a placeholder with the real action.
            _actions[action.Descriptor.Name] = action;
        }
    }

    public IReadOnlyCollection<ActionDescriptor> Descriptors => _actions.Values.Select(a => a.Descriptor).ToList();

    public IRemediationAction? Find(string name) => _actions.GetValueOrDefault(name);
}

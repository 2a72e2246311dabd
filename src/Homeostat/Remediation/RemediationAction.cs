using Homeostat.Catalog;
using Microsoft.Extensions.DependencyInjection;
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

/// <summary>
/// An action a module contains. <see cref="Implementation"/> is null when the module's config turns it off; the action is
/// then still known (a catalog naming it validates, with a warning) and <see cref="EnableWith"/> says what to set.
/// </summary>
public sealed record ActionDeclaration(string Module, ActionDescriptor Descriptor, Type? Implementation, string? EnableWith)
{
    public bool IsEnabled => Implementation is not null;
}

/// <summary>
/// Replaces the action of the same name on purpose (an embedder's own version, a test's recording action). An override
/// is the only way two registrations of one name may coexist; two overrides of one name are still a start-up error.
/// </summary>
public sealed record ActionOverride(IRemediationAction Action);

/// <summary>Two actions claim one name: the registry cannot choose, so start-up stops and names both.</summary>
public sealed class DuplicateActionException(string name, string first, string second)
    : InvalidOperationException($"two actions are named '{name}': {first} and {second}; an action's name must be unique (use OverrideAction to replace one on purpose)")
{
    public string Name { get; } = name;
}

public sealed class ActionRegistry : IActionRegistry
{
    private readonly Dictionary<string, IRemediationAction> _actions = new(StringComparer.Ordinal);

    /// <summary>A registry of exactly these actions; two with one name are refused.</summary>
    public ActionRegistry(IEnumerable<IRemediationAction> actions)
        : this(actions, [], [])
    {
    }

    /// <summary>
    /// The actions of every module: the registered ones, the declared ones whose module is turned off (as
    /// <see cref="UnavailableAction"/>s that say which key turns them on), and the explicit overrides.
    /// </summary>
    public ActionRegistry(IEnumerable<IRemediationAction> actions, IEnumerable<ActionDeclaration> declarations, IEnumerable<ActionOverride> overrides)
    {
        var declared = declarations.ToList();
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            var module = declared.FirstOrDefault(d => d.Implementation == action.GetType())?.Module;
            Add(action, module is null ? $"{action.GetType().Name} (registered directly)" : $"{action.GetType().Name} (module {module})", origins);
        }

        foreach (var declaration in declared.Where(d => !d.IsEnabled))
        {
            var reason = $"{declaration.Descriptor.Name} needs the {declaration.Module} module, which the config turns off: set {declaration.EnableWith}";
            Add(new UnavailableAction(declaration.Descriptor with { UnavailableReason = reason }), $"{declaration.Descriptor.Name} (module {declaration.Module}, turned off)", origins);
        }

        var overridden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var replacement in overrides)
        {
            var name = replacement.Action.Descriptor.Name;
            var origin = $"{replacement.Action.GetType().Name} (override)";
            if (!overridden.Add(name))
            {
                throw new DuplicateActionException(name, origins[name], origin);
            }

            _actions[name] = replacement.Action;
            origins[name] = origin;
        }
    }

    public IReadOnlyCollection<ActionDescriptor> Descriptors => _actions.Values.Select(a => a.Descriptor).ToList();

    public IRemediationAction? Find(string name) => _actions.GetValueOrDefault(name);

    private void Add(IRemediationAction action, string origin, Dictionary<string, string> origins)
    {
        var name = action.Descriptor.Name;
        if (origins.TryGetValue(name, out var first))
        {
            throw new DuplicateActionException(name, first, origin);
        }

        _actions[name] = action;
        origins[name] = origin;
    }
}

public static class ActionServiceCollectionExtensions
{
    /// <summary>Replaces the action named like <paramref name="action"/> (or adds it when no module has one).</summary>
    public static IServiceCollection OverrideAction(this IServiceCollection services, IRemediationAction action) =>
        services.AddSingleton(new ActionOverride(action));
}

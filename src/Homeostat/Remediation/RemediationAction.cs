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

    /// <summary>What the action confirms on its target before it changes anything, or why it cannot.</summary>
    public PremiseDescriptor Premise { get; init; } = PremiseDescriptor.Unobservable("the action does not say what it checks");

    public ParameterSpec? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

public sealed record ActionRequest(string IncidentId, Signal Signal, RemediationSpec Remediation)
{
    public ActionParameters Parameters => Remediation.Parameters;

    /// <summary>The catalog's map from filesystems and services to the directories actions may touch (<c>targets:</c>).</summary>
    public CatalogTargets Targets { get; init; } = CatalogTargets.None;
}

public sealed record ActionPreview(bool CanRun, string Summary, IReadOnlyList<string> Changes)
{
    public static ActionPreview Refused(string reason) => new(false, reason, []);

    /// <summary>
    /// What the preview observed of the action's premise; null when the action cannot observe it. A premise that is
    /// not met or a target the action cannot resolve comes with <see cref="CanRun"/> false and nothing planned.
    /// </summary>
    public PremiseObservation? Premise { get; init; }

    public static ActionPreview PremiseNotMet(string observed) =>
        new(false, $"premise not met: {observed}", []) { Premise = new(PremiseVerdict.NotMet, observed) };

    public static ActionPreview NotApplicable(string reason) =>
        new(false, $"not applicable: {reason}", []) { Premise = new(PremiseVerdict.NotApplicable, reason) };
}

public enum ActionStatus
{
    Succeeded,
    NoChange,
    Failed,

    /// <summary>The premise was checked on the target and does not hold: nothing was changed.</summary>
    PremiseNotMet,

    /// <summary>The signal's target cannot be resolved to anything this action may touch: nothing was changed.</summary>
    NotApplicable,
}

public sealed record ActionOutcome(ActionStatus Status, string Summary, IReadOnlyList<string> Changes)
{
    public static ActionOutcome Failed(string reason) => new(ActionStatus.Failed, reason, []);

    /// <summary>What execution observed of the premise just before acting; null when the action cannot observe it.</summary>
    public PremiseObservation? Premise { get; init; }

    public static ActionOutcome PremiseNotMet(string observed) =>
        new(ActionStatus.PremiseNotMet, $"premise not met: {observed}", []) { Premise = new(PremiseVerdict.NotMet, observed) };

    public static ActionOutcome NotApplicable(string reason) =>
        new(ActionStatus.NotApplicable, $"not applicable: {reason}", []) { Premise = new(PremiseVerdict.NotApplicable, reason) };
}

public enum PremiseVerdict
{
    Holds,
    NotMet,
    NotApplicable,
}

/// <summary>What an action saw when it checked its premise on the target, in words an operator reads ("/var/log/app holds 9.1 GiB, budget 5 GiB").</summary>
public sealed record PremiseObservation(PremiseVerdict Verdict, string Observed);

/// <summary>
/// The fault an action's premise is, as it is checked on the target (<see cref="Checks"/>), or why the action cannot
/// observe it (<see cref="CannotObserve"/>); <c>validate</c> warns when an action that cannot is <c>auto: true</c>.
/// </summary>
public sealed record PremiseDescriptor(string? Checks, string? CannotObserve)
{
    public bool IsObservable => Checks is not null;

    public static PremiseDescriptor Observes(string checks) => new(checks, null);

    public static PremiseDescriptor Unobservable(string why) => new(null, why);
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

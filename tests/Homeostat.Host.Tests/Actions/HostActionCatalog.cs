using Homeostat.Catalog;
using Homeostat.Remediation;
using Homeostat.Host.Actions;
using Homeostat.Signals;

namespace Homeostat.Host.Tests.Actions;

/// <summary>Loads a one-entry catalog through the real loader, so parameters get their defaults and checks as in production.</summary>
internal static class HostActionCatalog
{
    private static readonly CatalogLoader Loader = new(new ActionRegistry(
        KnownActions.Placeholders().Concat(HostActionDescriptors.All.Select(d => (IRemediationAction)new UnavailableAction(d)))));

    public static CatalogLoadResult Load(string action, string parameters) => Loader.Load(
        $"""
        remediations:
          host_problem:
            action: {action}
            confidence_floor: 0.8
            auto: true
            params: {(parameters.Length == 0 ? "{}" : $"{{ {parameters} }}")}
        """,
        "test.yaml");

    public static RemediationSpec Spec(string action, string parameters = "")
    {
        var result = Load(action, parameters);
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        return result.Catalog!.Find("host_problem")!;
    }

    public static ActionRequest Request(string action, string parameters, IReadOnlyDictionary<string, string> labels, string? service = null, SignalResource? resource = null) => new(
        "inc-1",
        new Signal { Id = "sig-1", Source = SignalSources.Alertmanager, Title = "HostProblem", Labels = labels, Service = service, Resource = resource },
        Spec(action, parameters));
}

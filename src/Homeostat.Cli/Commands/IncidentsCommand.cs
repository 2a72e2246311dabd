using System.CommandLine;
using Homeostat.Audit;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

internal static class IncidentsCommand
{
    public static Command Create(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var service = new Option<string?>("--service", "-s") { Description = "Only this service's incidents." };
        var state = new Option<string?>("--state") { Description = "Only incidents in this state (open, verifying, remediated, dry_run, escalated, resolved, …)." };
        var toLabel = new Option<bool>("--to-label")
        {
            Description = "Only incidents whose action found its premise did not hold (premise_not_met: suspected misclassifications) and that nobody has labelled yet.",
        };
        var command = new Command("incidents", "List incidents, newest first.") { config, data, service, state, toLabel };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IncidentState? wanted = null;
            if (parse.GetValue(state) is { } word)
            {
                if (!IncidentStateWords.TryParse(word, out var parsed))
                {
                    await io.Error.WriteLineAsync($"homeostat: --state '{word}' is not one of {string.Join(", ", Enum.GetValues<IncidentState>().Select(s => s.ToWord()))}");
                    return HomeostatCli.UsageError;
                }

                wanted = parsed;
            }

            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var path))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {path}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var store = services.GetRequiredService<IHomeostatStore>();
            var incidents = await store.ListIncidentsAsync(new IncidentQuery { Service = parse.GetValue(service), State = wanted }, cancellationToken);
            if (parse.GetValue(toLabel))
            {
                incidents = await SuspectedMisclassificationsAsync(store, incidents, cancellationToken);
            }

            foreach (var incident in incidents)
            {
                var outcome = incident.Reason is null ? incident.State.ToWord() : $"{incident.State.ToWord()}:{incident.Reason}";
                await io.Out.WriteLineAsync(
                    $"{IncidentStory.Clean(incident.Id)}  {incident.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {IncidentStory.Clean(incident.Service),-14} {IncidentStory.Clean(incident.Classification?.Class ?? "-"),-26} {IncidentStory.Clean(outcome),-28} {IncidentStory.Clean(incident.Detail ?? string.Empty)}");
            }

            if (parse.GetValue(toLabel))
            {
                await io.Out.WriteLineAsync(incidents.Count == 0
                    ? "no incident waits for a label: no action found its premise missing, or each such incident is labelled"
                    : $"{incidents.Count} suspected misclassification(s): the action checked its premise on the target and it did not hold; "
                      + "label each with 'homeostat label ID CLASS' (its true class, or unknown) so 'homeostat train --from-audit' learns from it");
            }

            return HomeostatCli.Success;
        });
        return command;
    }

    /// <summary>
    /// The incidents escalated with <c>premise_not_met</c> and not labelled yet: the action looked at its target and the
    /// fault the class names was not there, so the class is suspect and a human's label is worth most here.
    /// </summary>
    public static async Task<IReadOnlyList<Incident>> SuspectedMisclassificationsAsync(IHomeostatStore store, IReadOnlyList<Incident> incidents, CancellationToken cancellationToken)
    {
        var waiting = new List<Incident>();
        foreach (var incident in incidents.Where(i => i.Reason == EscalationReasons.PremiseNotMet))
        {
            var labels = await store.QueryAuditAsync(new AuditQuery { IncidentId = incident.Id, Type = AuditTypes.Labelled, Limit = 1 }, cancellationToken);
            if (labels.Count == 0)
            {
                waiting.Add(incident);
            }
        }

        return waiting;
    }
}

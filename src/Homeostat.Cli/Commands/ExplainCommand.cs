using System.CommandLine;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

internal static class ExplainCommand
{
    public static Command Create(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var incidentId = new Argument<string>("incident") { Description = "The incident's id (a unique prefix is enough)." };
        var command = new Command("explain", "Tell the whole story of one incident, in plain words.") { incidentId, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var path))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {path}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var store = services.GetRequiredService<IHomeostatStore>();
            var id = parse.GetValue(incidentId)!;
            var incident = await store.GetIncidentAsync(id, cancellationToken);
            if (incident is null)
            {
                var matches = (await store.ListIncidentsAsync(new IncidentQuery { Limit = 10_000 }, cancellationToken)).Where(i => i.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
                if (matches.Count != 1)
                {
                    await io.Error.WriteLineAsync(matches.Count == 0 ? $"homeostat: no incident '{id}'" : $"homeostat: '{id}' matches {matches.Count} incidents; give more of the id");
                    return HomeostatCli.Failure;
                }

                incident = matches[0];
            }

            var records = await store.QueryAuditAsync(new AuditQuery { IncidentId = incident.Id, Limit = 100_000 }, cancellationToken);
            await io.Out.WriteAsync(IncidentStory.Tell(incident, records));
            if (SuspectedMisclassification(incident, records) is { } suspicion)
            {
                await io.Out.WriteLineAsync(suspicion);
            }

            if (AuditTrailVerification.Disagreement(incident, records) is { } disagreement)
            {
                // The story above is the stored row's; its own records tell another.
                var warning = $"WARNING: incident {incident.Id}: {disagreement}; run 'homeostat audit --verify'";
                await io.Out.WriteLineAsync(warning);
                await io.Error.WriteLineAsync($"homeostat: {warning}");
                return HomeostatCli.Failure;
            }

            return HomeostatCli.Success;
        });
        return command;
    }

    /// <summary>
    /// For an incident whose action found its premise did not hold: the class is suspect. Says what the action saw and
    /// how to label it (or who already did).
    /// </summary>
    public static string? SuspectedMisclassification(Incident incident, IReadOnlyList<AuditRecord> records)
    {
        if (incident.Reason != EscalationReasons.PremiseNotMet)
        {
            return null;
        }

        var observed = records.Where(r => r.Type == AuditTypes.Escalated).Select(AuditJson.Read<EscalatedPayload>).LastOrDefault(p => p?.Observed is not null)?.Observed;
        var labelled = records.Where(r => r.Type == AuditTypes.Labelled).Select(AuditJson.Read<LabelledPayload>).LastOrDefault(p => p is not null);
        var seen = observed is null ? string.Empty : $" ({IncidentStory.Clean(observed)})";
        var next = labelled is null
            ? $"label it with 'homeostat label {incident.Id} CLASS' (see 'homeostat incidents --to-label')"
            : $"labelled {IncidentStory.Clean(labelled.Label)}";
        return TerminalText.Escape(
            $"Suspected misclassification: {incident.Action ?? "the action"} checked its premise on the target and it did not hold{seen}, "
            + $"so this may not be {incident.Classification?.Class ?? "the class it was given"}; {next}");
    }
}

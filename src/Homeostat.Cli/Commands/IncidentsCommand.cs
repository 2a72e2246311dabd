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
        var command = new Command("incidents", "List incidents, newest first.") { config, data, service, state };
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
            var incidents = await services.GetRequiredService<IHomeostatStore>().ListIncidentsAsync(new IncidentQuery { Service = parse.GetValue(service), State = wanted }, cancellationToken);
            foreach (var incident in incidents)
            {
                var outcome = incident.Reason is null ? incident.State.ToWord() : $"{incident.State.ToWord()}:{incident.Reason}";
                await io.Out.WriteLineAsync(
                    $"{IncidentStory.Clean(incident.Id)}  {incident.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {IncidentStory.Clean(incident.Service),-14} {IncidentStory.Clean(incident.Classification?.Class ?? "-"),-26} {IncidentStory.Clean(outcome),-28} {IncidentStory.Clean(incident.Detail ?? string.Empty)}");
            }

            return HomeostatCli.Success;
        });
        return command;
    }
}

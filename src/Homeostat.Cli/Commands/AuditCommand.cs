using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>Queries the audit trail, or with --verify checks its hash chain and names the first broken record.</summary>
internal static class AuditCommand
{
    public static Command Create(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var service = new Option<string?>("--service", "-s") { Description = "Only records for this service." };
        var since = new Option<string?>("--since") { Description = "Only records at or after this time (RFC 3339, or a duration ago such as 1h)." };
        var until = new Option<string?>("--until") { Description = "Only records before this time (RFC 3339, or a duration ago)." };
        var incident = new Option<string?>("--incident") { Description = "Only records of this incident." };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines instead of a table." };
        var verify = new Option<bool>("--verify") { Description = "Check the tamper-evident chain; exit 1 naming the first broken record." };
        var command = new Command("audit", "Query the audit trail.") { config, data, service, since, until, incident, json, verify };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var path))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {path}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            if (parse.GetValue(verify) && await StoreCommand.ReportDamageAsync(services, io, cancellationToken))
            {
                return HomeostatCli.Failure;
            }

            var store = services.GetRequiredService<IHomeostatStore>();
            if (parse.GetValue(verify))
            {
                var report = await store.VerifyAuditChainAsync(cancellationToken);
                if (report.IsIntact)
                {
                    await io.Out.WriteLineAsync($"audit chain intact: {report.RecordsChecked} record(s) verified");
                    return HomeostatCli.Success;
                }

                await io.Error.WriteLineAsync($"audit chain BROKEN at record {report.FirstBroken?.Sequence} (id {report.FirstBroken?.Id}): {report.Problem}");
                return HomeostatCli.Failure;
            }

            var now = TimeProvider.System.GetUtcNow();
            var errors = new List<string>();
            var query = new AuditQuery
            {
                Service = parse.GetValue(service),
                IncidentId = parse.GetValue(incident),
                Since = ParseTime("--since", parse.GetValue(since), now, errors),
                Until = ParseTime("--until", parse.GetValue(until), now, errors),
                Limit = 100_000,
            };
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await io.Error.WriteLineAsync($"homeostat: {error}");
                }

                return HomeostatCli.UsageError;
            }

            var records = await store.QueryAuditAsync(query, cancellationToken);
            foreach (var record in records)
            {
                await io.Out.WriteLineAsync(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { record.Sequence, record.Id, record.At, record.IncidentId, record.Service, record.Type, record.Actor, record.Summary, payload = record.PayloadJson(), record.Hash }, HomeostatJson.Options)
                    : $"{record.Sequence,6}  {record.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {IncidentStory.Clean(record.Service ?? "-"),-14} {record.IncidentId ?? "-",-20}  {record.Type,-17} {IncidentStory.Clean(record.Summary)}");
            }

            if (!parse.GetValue(json))
            {
                await io.Error.WriteLineAsync($"{records.Count} record(s)");
            }

            return HomeostatCli.Success;
        });
        return command;
    }

    internal static DateTimeOffset? ParseTime(string option, string? text, DateTimeOffset now, List<string> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Duration.TryParse(text, out var ago))
        {
            return now - ago.Value;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{option} '{text}' is neither an RFC 3339 time nor a duration such as 1h");
        return null;
    }
}

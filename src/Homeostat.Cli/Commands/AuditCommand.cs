using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
        var verify = new Option<bool>("--verify") { Description = "Check the chain, its checkpoints and every incident against its records; exit 1 naming each problem." };
        var checkpoints = CheckpointsOption();
        var keyFile = KeyFileOption();
        var command = new Command("audit", "Query the audit trail, verify it, or export it.") { config, data, service, since, until, incident, json, verify, checkpoints, keyFile };
        command.Subcommands.Add(CreateVerify(io));
        command.Subcommands.Add(CreateExport(io));
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var path))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {path}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            if (parse.GetValue(verify))
            {
                return await VerifyStoreAsync(io, parse.GetValue(config), parse.GetValue(data), parse.GetValue(checkpoints), parse.GetValue(keyFile), cancellationToken);
            }

            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var store = services.GetRequiredService<IHomeostatStore>();
            var now = TimeProvider.System.GetUtcNow();
            var errors = new List<string>();
            var query = new AuditQuery
            {
                Service = parse.GetValue(service),
                IncidentId = parse.GetValue(incident),
                Since = ParseTime("--since", parse.GetValue(since), now, errors),
                Until = ParseTime("--until", parse.GetValue(until), now, errors),
                Limit = PageSize,
            };
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await io.Error.WriteLineAsync($"homeostat: {error}");
                }

                return HomeostatCli.UsageError;
            }

            // Page by sequence number, so a long trail is printed as it is read instead of held in memory whole.
            var count = 0;
            for (IReadOnlyList<AuditRecord> page; (page = await store.QueryAuditAsync(query, cancellationToken)).Count > 0; query = query with { AfterSequence = page[^1].Sequence })
            {
                foreach (var record in page)
                {
                    await io.Out.WriteLineAsync(parse.GetValue(json)
                        ? TerminalText.EscapeJson(JsonSerializer.Serialize(new { record.Sequence, record.Id, record.At, record.IncidentId, record.Service, record.Type, record.Actor, record.Summary, payload = record.PayloadJson(), record.Hash }, HomeostatJson.Options))
                        : $"{record.Sequence,6}  {record.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {IncidentStory.Clean(record.Service ?? "-"),-14} {IncidentStory.Clean(record.IncidentId ?? "-"),-20}  {IncidentStory.Clean(record.Type),-17} {IncidentStory.Clean(record.Summary)}");
                    count++;
                }

                if (page.Count < PageSize)
                {
                    break;
                }
            }

            if (!parse.GetValue(json))
            {
                await io.Error.WriteLineAsync($"{count} record(s)");
            }

            return HomeostatCli.Success;
        });
        return command;
    }

    private const int PageSize = 1000;

    private static Option<string?> CheckpointsOption() => new("--checkpoints") { Description = "The checkpoint directory to check the store against (default: audit.checkpoints.directory)." };

    private static Option<string?> KeyFileOption() => new("--key-file") { Description = "A file with the audit key to check HMACs and signatures with (default: audit.key_file or audit.key_env)." };

    /// <summary><c>audit verify</c>: the store (no FILE), or an export file offline, with no store.</summary>
    private static Command CreateVerify(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var file = new Argument<string?>("file") { Description = "An export file to check offline; without it, the store is checked.", Arity = ArgumentArity.ZeroOrOne };
        var checkpoints = CheckpointsOption();
        var keyFile = KeyFileOption();
        var command = new Command("verify", "Verify the store's audit chain, or an export file offline.") { file, config, data, checkpoints, keyFile };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(file) is not { } path)
            {
                if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var storePath))
                {
                    await io.Error.WriteLineAsync($"homeostat: no store at {storePath}; pass --data or --config");
                    return HomeostatCli.UsageError;
                }

                return await VerifyStoreAsync(io, parse.GetValue(config), parse.GetValue(data), parse.GetValue(checkpoints), parse.GetValue(keyFile), cancellationToken);
            }

            if (!File.Exists(path))
            {
                await io.Error.WriteLineAsync($"homeostat: no file {path}");
                return HomeostatCli.UsageError;
            }

            var options = new AuditOptions();
            HomeostatComposition.BuildConfiguration(parse.GetValue(config)).GetSection(AuditOptions.Section).Bind(options);
            if (!TryKeys(io, options, parse.GetValue(keyFile), out var keys))
            {
                return HomeostatCli.UsageError;
            }

            var report = await AuditExport.VerifyAsync(path, keys, cancellationToken);
            return await PrintAsync(io, report, $"export {path}");
        });
        return command;
    }

    private static Command CreateExport(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var since = new Option<string?>("--since") { Description = "Only records at or after this time (RFC 3339, or a duration ago such as 1h)." };
        var until = new Option<string?>("--until") { Description = "Only records before this time (RFC 3339, or a duration ago)." };
        var incident = new Option<string?>("--incident") { Description = "Only the records of this incident." };
        var output = new Option<string>("--out", "-o") { Description = "The file to write (JSON Lines).", Required = true };
        var command = new Command("export", "Write the audit trail to a self-contained, signed JSON Lines file that 'audit verify FILE' checks offline.") { config, data, since, until, incident, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var path))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {path}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            var now = TimeProvider.System.GetUtcNow();
            var errors = new List<string>();
            var range = new AuditRange
            {
                Since = ParseTime("--since", parse.GetValue(since), now, errors),
                Until = ParseTime("--until", parse.GetValue(until), now, errors),
                IncidentId = parse.GetValue(incident),
            };
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await io.Error.WriteLineAsync($"homeostat: {error}");
                }

                return HomeostatCli.UsageError;
            }

            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var keys = services.GetRequiredService<AuditKeyRing>();
            var target = parse.GetValue(output)!;
            AuditExportTrailer trailer;
            await using (var writer = new StreamWriter(target, append: false, new System.Text.UTF8Encoding(false)))
            {
                trailer = await AuditExport.WriteAsync(services.GetRequiredService<IAuditTrail>(), range, keys.Current, now, writer, cancellationToken);
            }

            await io.Error.WriteLineAsync($"{trailer.Count} record(s) written to {target}" + (keys.Current is null ? " (unsigned: no audit key is configured)" : $", signed with key {keys.Current.Id}"));
            return HomeostatCli.Success;
        });
        return command;
    }

    private static async Task<int> VerifyStoreAsync(CliIo io, string? configPath, string? dataDirectory, string? checkpointsDirectory, string? keyFile, CancellationToken cancellationToken)
    {
        await using var services = OfflineServices.Build(configPath, dataDirectory);
        if (await StoreCommand.ReportDamageAsync(services, io, cancellationToken))
        {
            return HomeostatCli.Failure;
        }

        var options = services.GetRequiredService<IOptions<AuditOptions>>().Value;
        if (!TryKeys(io, options, keyFile, out var keys))
        {
            return HomeostatCli.UsageError;
        }

        var problems = new List<string>();
        var notes = new List<string>();
        IReadOnlyList<AuditCheckpoint> checkpoints = [];
        if ((checkpointsDirectory ?? options.Checkpoints.Directory) is { Length: > 0 } directory)
        {
            // A checkpoint file named on the command line must be there; the configured one may not exist yet on a new install.
            checkpoints = AuditCheckpointFile.Read(directory, checkpointsDirectory is null ? notes : problems);
        }

        var report = await AuditTrailVerification.VerifyAsync(services.GetRequiredService<IAuditTrail>(), keys, checkpoints, problems, cancellationToken);
        return await PrintAsync(io, report with { Limits = [.. notes, .. report.Limits] }, "audit chain");
    }

    private static bool TryKeys(CliIo io, AuditOptions options, string? keyFile, out AuditKeyRing keys)
    {
        keys = AuditKeyRing.None;
        try
        {
            var configured = options.LoadKeys();
            if (keyFile is null)
            {
                keys = configured;
                return true;
            }

            var given = AuditKey.FromFile(keyFile, "--key-file", out var problem);
            if (given is null)
            {
                io.Error.WriteLine($"homeostat: --key-file '{keyFile}' {problem}");
                return false;
            }

            keys = new AuditKeyRing(given, configured.All);
            return true;
        }
        catch (InvalidOperationException exception)
        {
            io.Error.WriteLine($"homeostat: {exception.Message}");
            return false;
        }
    }

    private static async Task<int> PrintAsync(CliIo io, AuditChainReport report, string what)
    {
        var keyed = report.KeyedRecords > 0 ? $"{report.KeyedRecords} keyed, {report.UnkeyedRecords} unkeyed" : "none keyed";
        var summary = $"{report.RecordsChecked} record(s) ({keyed}), {report.IncidentsChecked} incident(s), {report.CheckpointsChecked} checkpoint(s) checked";
        if (report.IsIntact)
        {
            await io.Out.WriteLineAsync($"{what} intact: {summary}");
        }
        else
        {
            var first = report.FirstBroken!;
            await io.Error.WriteLineAsync(first.Sequence is { } seq
                ? $"{what} BROKEN at record {seq} (id {first.RecordId}): {first.Problem}"
                : $"{what} BROKEN: {first.Problem}");
            foreach (var finding in report.Findings.Skip(1))
            {
                await io.Error.WriteLineAsync($"  also: {finding}");
            }

            if (report.MoreFindings > 0)
            {
                await io.Error.WriteLineAsync($"  and {report.MoreFindings} more problem(s)");
            }

            await io.Error.WriteLineAsync($"{summary}; {report.Findings.Count + report.MoreFindings} problem(s)");
        }

        foreach (var limit in report.Limits)
        {
            await io.Out.WriteLineAsync($"not checked: {limit}");
        }

        return report.IsIntact ? HomeostatCli.Success : HomeostatCli.Failure;
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

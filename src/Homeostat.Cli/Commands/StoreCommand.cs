using System.CommandLine;
using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary><c>homeostat store backup</c> and <c>homeostat store salvage</c>: copies of the embedded store, sound or damaged.</summary>
internal static class StoreCommand
{
    public static Command Create(CliIo io) => new("store", "Back up the store, or salvage what can be read of a damaged one.")
    {
        Backup(io),
        Salvage(io),
    };

    /// <summary>
    /// The full check of the store's file, for <c>audit --verify</c>: prints every problem with the recovery steps and
    /// returns true when there is one, before anything reads the store's records.
    /// </summary>
    public static async Task<bool> ReportDamageAsync(IServiceProvider services, CliIo io, CancellationToken cancellationToken)
    {
        var report = await services.GetRequiredService<IStoreIntegrity>().FullCheckAsync(cancellationToken);
        if (report.IsHealthy)
        {
            await io.Out.WriteLineAsync($"store file intact: every page checked, {report.RecordsChecked} audit record(s) decoded");
            return false;
        }

        await io.Error.WriteLineAsync($"homeostat: the store {report.Store} is damaged: {report.Problems[0]}");
        foreach (var problem in report.Problems.Skip(1))
        {
            await io.Error.WriteLineAsync($"  and: {problem}");
        }

        await io.Error.WriteLineAsync($"homeostat: {StoreDamagedException.RecoverySteps(report.Store)}");
        return true;
    }

    private static Command Backup(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var output = new Option<string>("--out", "-o") { Description = "The backup file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite the backup file if it exists." };
        var command = new Command("backup", "Write a consistent copy of the store, while the service runs or not, and check the copy.") { config, data, output, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OfflineServices.StoreExists(parse.GetValue(config), parse.GetValue(data), out var store))
            {
                await io.Error.WriteLineAsync($"homeostat: no store at {store}; pass --data or --config");
                return HomeostatCli.UsageError;
            }

            var destination = Path.GetFullPath(parse.GetValue(output)!);
            if (SamePath(destination, store))
            {
                await io.Error.WriteLineAsync($"homeostat: --out {destination} is the store itself");
                return HomeostatCli.UsageError;
            }

            if (File.Exists(destination) && !parse.GetValue(force))
            {
                await io.Error.WriteLineAsync($"homeostat: {destination} already exists; pass --force to overwrite it");
                return HomeostatCli.Failure;
            }

            var result = await Task.Run(() => SqliteBackup.Run(store, destination, overwrite: parse.GetValue(force)), cancellationToken);
            await io.Out.WriteLineAsync(
                $"backed up {result.Source} to {result.Destination}: {result.Bytes} bytes, {result.AuditRecords} audit record(s) (last seq {result.LastSequence}); the copy passes quick_check");
            return HomeostatCli.Success;
        });
        return command;
    }

    private static Command Salvage(CliIo io)
    {
        var config = CommonOptions.Config();
        var from = new Option<string>("--from") { Description = "The damaged store (it is only read).", Required = true };
        var to = new Option<string>("--to") { Description = "The new store to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite --to (and its .dropped.jsonl) if they exist." };
        var command = new Command("salvage", "Copy every row that can be read of a damaged store into a new one, and the audit trail up to its first gap.") { config, from, to, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var damaged = Path.GetFullPath(parse.GetValue(from)!);
            var target = Path.GetFullPath(parse.GetValue(to)!);
            var sidecar = target + ".dropped.jsonl";
            if (!File.Exists(damaged))
            {
                await io.Error.WriteLineAsync($"homeostat: --from {damaged} does not exist");
                return HomeostatCli.UsageError;
            }

            if (SamePath(damaged, target))
            {
                await io.Error.WriteLineAsync("homeostat: --to must be a new file: salvage never writes to the damaged store");
                return HomeostatCli.UsageError;
            }

            if ((File.Exists(target) || File.Exists(sidecar)) && !parse.GetValue(force))
            {
                await io.Error.WriteLineAsync($"homeostat: {(File.Exists(target) ? target : sidecar)} already exists; pass --force to overwrite it");
                return HomeostatCli.Failure;
            }

            var staging = Path.Combine(Path.GetDirectoryName(target)!, $".homeostat-salvage-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                var store = Path.Combine(staging, SqliteStoreOptions.FileName);
                var rejects = Path.Combine(staging, "dropped.jsonl");
                var report = await Task.Run(() => SqliteSalvage.Copy(damaged, store, rejects), cancellationToken);

                // The chain is checked by the store itself, with the configuration's key if it has one; a record that does
                // not verify ends the kept trail there.
                var chain = await VerifyAsync(parse.GetValue(config), staging, cancellationToken);
                if (FirstBrokenRecord(chain) is { } broken)
                {
                    SqliteSalvage.DropAuditAfter(store, broken.Sequence!.Value - 1, $"does not verify against the chain: {broken}", rejects, report);
                    chain = await VerifyAsync(parse.GetValue(config), staging, cancellationToken);
                    if (FirstBrokenRecord(chain) is { } still)
                    {
                        await io.Error.WriteLineAsync($"homeostat: the salvaged audit trail still does not verify ({still}); nothing was written");
                        return HomeostatCli.Failure;
                    }
                }

                if (SqliteSalvage.Seal(store) is { } problem)
                {
                    await io.Error.WriteLineAsync($"homeostat: the salvaged store does not pass quick_check ({problem}); nothing was written");
                    return HomeostatCli.Failure;
                }

                File.Move(store, target, overwrite: true);
                if (File.Exists(rejects))
                {
                    File.Move(rejects, sidecar, overwrite: true);
                }
                else
                {
                    File.Delete(sidecar);
                }

                await PrintAsync(io, report, target, chain.RecordsChecked, File.Exists(sidecar) ? sidecar : null);
                return HomeostatCli.Success;
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(staging, recursive: true);
            }
        });
        return command;
    }

    private static async Task<Audit.AuditChainReport> VerifyAsync(string? config, string directory, CancellationToken cancellationToken)
    {
        try
        {
            await using var services = OfflineServices.Build(config, directory);
            return await services.GetRequiredService<IHomeostatStore>().VerifyAuditChainAsync(cancellationToken);
        }
        finally
        {
            // The store pools its connections; the file is moved next, so none may stay open.
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task PrintAsync(CliIo io, SalvageReport report, string target, long verified, string? sidecar)
    {
        await io.Out.WriteLineAsync($"salvaged {report.From} into {target} (the damaged file was not changed)");
        foreach (var table in report.Tables)
        {
            await io.Out.WriteLineAsync(table.Name == "audit"
                ? $"  audit: kept seq 1-{report.LastAuditKept} ({table.Kept} record(s), chain verified), dropped {table.Dropped} read record(s)"
                : $"  {table.Name}: kept {table.Kept} row(s), dropped {table.Dropped}");
            foreach (var note in table.Notes)
            {
                await io.Out.WriteLineAsync($"    {note}");
            }
        }

        await io.Out.WriteLineAsync(sidecar is null
            ? "nothing read was dropped"
            : $"{report.SidecarRows} row(s) read but not kept are in {sidecar}, one JSON object a line");
        await io.Out.WriteLineAsync($"the new store passes quick_check and its audit chain verifies ({verified} record(s)); put it in place of the damaged store while homeostat is stopped");
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>The first record the chain check faults; incidents that disagree with a shortened trail are expected after a salvage.</summary>
    private static AuditFinding? FirstBrokenRecord(AuditChainReport report) =>
        report.Findings.Where(f => f.Sequence is not null).MinBy(f => f.Sequence);
}

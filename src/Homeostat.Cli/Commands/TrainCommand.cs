using System.CommandLine;
using System.Text.Json;
using Homeostat.Audit;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Learning;
using Homeostat.Primitives;
using Homeostat.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>Trains the learned classifier from labelled JSON Lines and the labels humans gave incidents in the audit trail.</summary>
internal static class TrainCommand
{
    public static Command Create(CliIo io)
    {
        var inputs = new Option<string[]>("--input", "-i") { Description = "Labelled signals (JSON Lines with a 'label' field); repeat for several files.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the model file.", Required = true };
        var fromAudit = new Option<bool>("--from-audit") { Description = "Also learn from incidents a human labelled (homeostat label) in the store given by --data or --config." };
        var seed = new Option<int>("--seed") { Description = "The random seed; the same data and seed give the same model.", DefaultValueFactory = _ => 1 };
        var folds = new Option<int>("--calibration-folds") { Description = "Folds for fitting the confidence calibration (0 turns calibration off).", DefaultValueFactory = _ => 5 };
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var command = new Command("train", "Train the learned classifier.") { inputs, output, fromAudit, seed, folds, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var parser = new SignalParser(TimeProvider.System);
            var examples = new List<LabelledSignal>();
            foreach (var file in parse.GetValue(inputs) ?? [])
            {
                var parsed = LabelledSignals.ParseFile(file, parser);
                if (parsed.Errors.Count > 0)
                {
                    foreach (var error in parsed.Errors.Take(20))
                    {
                        await io.Error.WriteLineAsync(error.ToString());
                    }

                    return HomeostatCli.Failure;
                }

                examples.AddRange(parsed.Items);
            }

            if (parse.GetValue(fromAudit))
            {
                await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
                var labelled = await FromAuditAsync(services.GetRequiredService<IHomeostatStore>(), cancellationToken);
                await io.Out.WriteLineAsync($"{labelled.Count} labelled incident(s) from the audit trail");
                examples.AddRange(labelled);
            }

            if (examples.Count < 10)
            {
                await io.Error.WriteLineAsync($"homeostat: training needs at least 10 labelled signals; got {examples.Count}");
                return HomeostatCli.Failure;
            }

            var started = TimeProvider.System.GetTimestamp();
            var artifact = new ModelTrainer().Train(examples, new TrainingOptions { Seed = parse.GetValue(seed), CalibrationFolds = parse.GetValue(folds) });
            artifact.Save(parse.GetValue(output)!);
            var counts = string.Join(", ", examples.GroupBy(e => e.Label).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
            await io.Out.WriteLineAsync($"trained on {examples.Count} signals ({counts}) in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0}s; wrote {parse.GetValue(output)}");
            return HomeostatCli.Success;
        });
        return command;
    }

    /// <summary>The latest label a human gave each incident, with the incident's signal.</summary>
    public static async Task<IReadOnlyList<LabelledSignal>> FromAuditAsync(IHomeostatStore store, CancellationToken cancellationToken)
    {
        var records = await store.QueryAuditAsync(new AuditQuery { Type = AuditTypes.Labelled, Limit = 1_000_000 }, cancellationToken);
        var latest = new Dictionary<string, LabelledSignal>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var payload = record.PayloadJson();
            var label = payload.GetProperty("label").GetString();
            var signal = payload.GetProperty("signal").Deserialize<Signal>(HomeostatJson.Options);
            if (record.IncidentId is not null && label is not null && signal is not null)
            {
                latest[record.IncidentId] = new LabelledSignal(signal, label);
            }
        }

        return latest.Values.ToList();
    }
}

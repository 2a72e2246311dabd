using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>Scores a classifier on labelled signals: per-class precision, recall and F1, the confusion matrix, calibration and unsafe actions.</summary>
internal static class EvalCommand
{
    public static Command Create(CliIo io)
    {
        var input = new Option<string>("--input", "-i") { Description = "Labelled signals: JSON Lines with a 'label' field.", Required = true };
        var catalogOption = new Option<string?>("--catalog") { Description = "The catalog whose floors decide what would have acted (default: the built-in catalog)." };
        var modelOption = new Option<string?>("--model") { Description = "A model file from homeostat train (default: the shipped model)." };
        var classifierOption = new Option<string>("--classifier") { Description = "ensemble (default), rules, model or llm.", DefaultValueFactory = _ => ClassifierNames.Ensemble };
        var config = CommonOptions.Config();
        classifierOption.AcceptOnlyFromAmong(ClassifierServices.Choices);
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var minimumMacroF1 = new Option<double?>("--min-macro-f1") { Description = "Exit 1 when macro-F1 is below this." };
        var data = CommonOptions.Data();
        data.Description = "Also count the store's suspected misclassifications (incidents whose action found its premise did not hold).";
        var command = new Command("eval", "Evaluate a classifier on labelled signals.") { input, catalogOption, modelOption, classifierOption, json, minimumMacroF1, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ClassifierServices.Build(parse.GetValue(catalogOption), parse.GetValue(modelOption), parse.GetValue(config));
            var parsed = LabelledSignals.ParseFile(parse.GetValue(input)!, services.GetRequiredService<SignalParser>());
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                {
                    await io.Error.WriteLineAsync(error.ToString());
                }

                return HomeostatCli.Failure;
            }

            var classes = services.GetRequiredService<IClassSetProvider>().Current;
            var classifier = ClassifierServices.Resolve(services, parse.GetValue(classifierOption)!);
            var results = new List<(LabelledSignal, Classification)>();
            foreach (var item in parsed.Items)
            {
                results.Add((item, classes.Constrain(await classifier.ClassifyAsync(item.Signal, classes, cancellationToken))));
            }

            var catalog = services.GetRequiredService<ICatalogProvider>().Current;
            var report = ClassifierEvaluation.Evaluate(results, classes.Classes, catalog);
            await io.Out.WriteAsync(parse.GetValue(json) ? Json(report) : Text(report, classifier.Name));
            if (parse.GetValue(data) is { } dataDirectory && !parse.GetValue(json))
            {
                await io.Out.WriteLineAsync(await SuspectsInStoreAsync(parse.GetValue(config), dataDirectory, cancellationToken));
            }

            return parse.GetValue(minimumMacroF1) is { } minimum && report.MacroF1 < minimum ? HomeostatCli.Failure : HomeostatCli.Success;
        });
        return command;
    }

    public static string Text(EvaluationReport report, string classifier)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"classifier {classifier}: {report.Total} labelled signals");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"class",-28} {"support",8} {"precision",10} {"recall",8} {"f1",8}");
        foreach (var metrics in report.PerClass)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{metrics.Class,-28} {metrics.Support,8} {metrics.Precision,10:0.000} {metrics.Recall,8:0.000} {metrics.F1,8:0.000}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"macro-F1 {report.MacroF1:0.000}   accuracy {report.Accuracy:0.000}   expected calibration error {report.ExpectedCalibrationError:0.000}");
        text.AppendLine();
        text.AppendLine("confusion matrix (rows: true class, columns: predicted)");
        const int width = 13;
        text.Append(' ', 28);
        foreach (var name in report.Classes)
        {
            text.Append(Short(name).PadLeft(width));
        }

        text.AppendLine();
        for (var i = 0; i < report.Classes.Count; i++)
        {
            text.Append(report.Classes[i].PadRight(28));
            for (var j = 0; j < report.Classes.Count; j++)
            {
                text.Append(report.Confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"wrong-class automatic actions at the catalog's floors: {report.UnsafeActions.Count}");
        foreach (var action in report.UnsafeActions.Take(20))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {action.Id}: true {action.Label}, predicted {action.Predicted} at {action.Confidence:0.00} (floor {action.Floor:0.00})");
        }

        return text.ToString();
    }

    /// <summary>Production's side of the score: actions that looked at their target and did not find the class's fault.</summary>
    private static async Task<string> SuspectsInStoreAsync(string? config, string dataDirectory, CancellationToken cancellationToken)
    {
        if (!OfflineServices.StoreExists(config, dataDirectory, out var path))
        {
            return $"no store at {path}: no suspected misclassifications counted";
        }

        await using var services = OfflineServices.Build(config, dataDirectory);
        var store = services.GetRequiredService<IHomeostatStore>();
        var premiseNotMet = (await store.ListIncidentsAsync(new IncidentQuery { State = IncidentState.Escalated }, cancellationToken))
            .Where(i => i.Reason == EscalationReasons.PremiseNotMet).ToList();
        var unlabelled = await IncidentsCommand.SuspectedMisclassificationsAsync(store, premiseNotMet, cancellationToken);
        return $"suspected misclassifications in the store (premise_not_met): {premiseNotMet.Count}, {unlabelled.Count} not labelled yet"
               + (unlabelled.Count == 0 ? string.Empty : " (homeostat incidents --to-label)");
    }

    private static string Short(string name) => name.Length > 12 ? name[..12] : name;

    private static string Json(EvaluationReport report)
    {
        var confusion = Enumerable.Range(0, report.Classes.Count)
            .Select(i => Enumerable.Range(0, report.Classes.Count).Select(j => report.Confusion[i, j]).ToArray()).ToArray();
        return JsonSerializer.Serialize(new
        {
            report.Total,
            report.MacroF1,
            report.Accuracy,
            report.ExpectedCalibrationError,
            report.PerClass,
            report.Classes,
            confusion,
            report.UnsafeActions,
        }, HomeostatJson.Indented) + Environment.NewLine;
    }
}

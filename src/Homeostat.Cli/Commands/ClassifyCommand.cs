using System.CommandLine;
using System.Text.Json;
using Homeostat.Catalog;
using Homeostat.Diagnosis;
using Homeostat.Primitives;
using Homeostat.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>Signals in as JSON Lines, one classification per line out, in the same order and with the same id.</summary>
internal static class ClassifyCommand
{
    public static Command Create(CliIo io)
    {
        var catalogOption = new Option<string?>("--catalog") { Description = "The catalog whose classes form the closed list (default: the built-in catalog)." };
        var modelOption = new Option<string?>("--model") { Description = "A model file from homeostat train (default: the model shipped with Homeostat)." };
        var classifierOption = new Option<string>("--classifier") { Description = "ensemble (every enabled member together; the default), rules, model or llm.", DefaultValueFactory = _ => ClassifierNames.Ensemble };
        var config = CommonOptions.Config();
        classifierOption.AcceptOnlyFromAmong(ClassifierServices.Choices);
        var input = new Option<string>("--input", "-i") { Description = "A JSON Lines file of signals, or - for standard input.", DefaultValueFactory = _ => "-" };
        var command = new Command("classify", "Classify signals (JSON Lines) into the closed list of classes.") { catalogOption, modelOption, classifierOption, input, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ClassifierServices.Build(parse.GetValue(catalogOption), parse.GetValue(modelOption), parse.GetValue(config));
            var classes = services.GetRequiredService<IClassSetProvider>().Current;
            var classifier = ClassifierServices.Resolve(services, parse.GetValue(classifierOption)!);
            var parser = services.GetRequiredService<SignalParser>();
            var path = parse.GetValue(input)!;
            using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);
            var failures = 0;
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var parsed = parser.ParseLines(line);
                if (!parsed.IsValid)
                {
                    failures++;
                    var problem = string.Join("; ", parsed.Errors.Select(e => e.ToString()));
                    await io.Error.WriteLineAsync($"{path}:{lineNumber}: {problem}");
                    await io.Out.WriteLineAsync(JsonSerializer.Serialize(new { id = TryId(line), error = $"line {lineNumber}: {problem}" }, HomeostatJson.Options));
                    continue;
                }

                var signal = parsed.Signals[0];
                var classification = classes.Constrain(await classifier.ClassifyAsync(signal, classes, cancellationToken));
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(classification with { Id = signal.Id, Votes = null, Scores = null }, HomeostatJson.Options));
            }

            return failures == 0 ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }

    private static string? TryId(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

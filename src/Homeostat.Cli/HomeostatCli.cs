using System.CommandLine;
using Homeostat.Catalog;
using Homeostat.Cli.Commands;
using Homeostat.Configuration;
using Microsoft.Extensions.Options;

namespace Homeostat.Cli;

/// <summary>The <c>homeostat</c> command. Every mode is composed here; errors are printed as sentences, never stack traces.</summary>
public static class HomeostatCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var io = new CliIo(output, error);
        var root = new RootCommand("Homeostat: a self-healing controller with humans on the guardrails.")
        {
            RunCommand.Create(io),
            ClassifyCommand.Create(io),
            ValidateCommand.Create(io),
            AuditCommand.Create(io),
            ExplainCommand.Create(io),
            IncidentsCommand.Create(io),
            OperatorCommand.CreateResume(io),
            OperatorCommand.CreatePromote(io),
        };

        var parseResult = root.Parse(args);
        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }
        catch (CatalogInvalidException exception)
        {
            await error.WriteLineAsync("homeostat: the catalog is invalid:");
            foreach (var item in exception.Errors)
            {
                await error.WriteLineAsync(item.ToString());
            }

            return Failure;
        }
        catch (OptionsValidationException exception)
        {
            await error.WriteLineAsync("homeostat: the configuration is invalid:");
            foreach (var failure in exception.Failures)
            {
                await error.WriteLineAsync($"  {failure}");
            }

            return Failure;
        }
        catch (ConfigFileException exception)
        {
            await error.WriteLineAsync($"homeostat: {exception.Message}");
            return Failure;
        }
        catch (InvalidOperationException exception) when (exception.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase)
            || exception.InnerException is FormatException)
        {
            await error.WriteLineAsync($"homeostat: the configuration is invalid: {exception.InnerException?.Message ?? exception.Message}");
            return Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Success;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync($"homeostat: {exception.Message}");
            return UsageError;
        }
    }
}

/// <summary>Where a command writes: standard output for results, standard error for diagnostics.</summary>
public sealed record CliIo(TextWriter Out, TextWriter Error);

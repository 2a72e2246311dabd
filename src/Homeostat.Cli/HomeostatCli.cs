using System.CommandLine;
using System.CommandLine.Help;
using Homeostat.Catalog;
using Homeostat.Cli.Commands;
using Homeostat.Configuration;
using Homeostat.Remediation;
using Microsoft.Extensions.Options;

namespace Homeostat.Cli;

/// <summary>The <c>homeostat</c> command. Every mode is composed here; errors are printed as sentences, never stack traces.</summary>
public static class HomeostatCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int InternalError = 70;

    /// <summary>The command's name in help and usage, whatever the executable is called.</summary>
    public const string CommandName = "homeostat";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var io = new CliIo(output, error);
        // Named here, not after the executable (Homeostat.Cli.dll when run with dotnet), so help and errors say homeostat.
        var root = new Command(CommandName, "Homeostat: a self-healing controller with humans on the guardrails.")
        {
            new HelpOption(),
            new VersionOption(),
            RunCommand.Create(io),
            ClassifyCommand.Create(io),
            EvalCommand.Create(io),
            TrainCommand.Create(io),
            ValidateCommand.Create(io),
            AuditCommand.Create(io),
            ExplainCommand.Create(io),
            IncidentsCommand.Create(io),
            OperatorCommand.CreateResume(io),
            OperatorCommand.CreatePromote(io),
            OperatorCommand.CreateApprove(io),
            OperatorCommand.CreateReject(io),
            OperatorCommand.CreateResolve(io),
            OperatorCommand.CreateLabel(io),
            StoreCommand.Create(io),
        };

        var parseResult = root.Parse(args);
        try
        {
            // Failures below become sentences; the library's default handler would print a stack trace.
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Success;
        }
        catch (Exception exception)
        {
            return await ReportAsync(Unwrap(exception), error);
        }
    }

    private static Exception Unwrap(Exception exception)
    {
        // Start-up wraps configuration and catalog failures (options factories, hosted services); report the cause.
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StartupException or Healing.StoreDamagedException or Healing.StoreIncompatibleException or CatalogInvalidException or OptionsValidationException or ConfigFileException or DuplicateActionException)
            {
                return current;
            }
        }

        return exception;
    }

    private static async Task<int> ReportAsync(Exception exception, TextWriter error)
    {
        switch (exception)
        {
            case StartupException startup:
                // One line per problem, each saying where: file:line:col: key: message (value).
                foreach (var item in startup.Errors)
                {
                    await error.WriteLineAsync(item.ToString());
                }

                return Failure;
            case Healing.StoreDamagedException or Healing.StoreIncompatibleException:
                await error.WriteLineAsync($"homeostat: {exception.Message}");
                return Failure;
            case DuplicateActionException duplicate:
                await error.WriteLineAsync($"homeostat: actions: {duplicate.Message}");
                return Failure;
            case CatalogInvalidException invalid:
                foreach (var item in invalid.Errors)
                {
                    await error.WriteLineAsync(item.ToString());
                }

                return Failure;
            case OptionsValidationException options:
                await error.WriteLineAsync("homeostat: the configuration is invalid:");
                foreach (var failure in options.Failures)
                {
                    await error.WriteLineAsync($"  {failure}");
                }

                return Failure;
            case ConfigFileException config:
                await error.WriteLineAsync(config.Error is { } located ? located.ToString() : $"homeostat: {config.Message}");
                return Failure;
            case InvalidOperationException invalid when invalid.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) || invalid.InnerException is FormatException:
                await error.WriteLineAsync($"homeostat: the configuration is invalid: {invalid.InnerException?.Message ?? invalid.Message}");
                return Failure;
            case IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException:
                await error.WriteLineAsync($"homeostat: {exception.Message}");
                return UsageError;
            default:
                await error.WriteLineAsync($"homeostat: internal error: {exception.GetType().Name}: {exception.Message}");
                return InternalError;
        }
    }
}

/// <summary>Where a command writes: standard output for results, standard error for diagnostics.</summary>
public sealed record CliIo(TextWriter Out, TextWriter Error);

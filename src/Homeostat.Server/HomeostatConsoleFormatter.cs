using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

public sealed class HomeostatConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Print an exception with its stack trace (debug level); otherwise only its type and message.</summary>
    public bool FullExceptions { get; set; }
}

/// <summary>
/// One line per log entry: time, level, category and event id, message. An exception adds its type and message; its stack
/// trace only when logging at debug level, so an operator's console never shows .NET internals unasked.
/// </summary>
public sealed class HomeostatConsoleFormatter(IOptionsMonitor<HomeostatConsoleFormatterOptions> options, TimeProvider timeProvider) : ConsoleFormatter(Name)
{
    public new const string Name = "homeostat";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var current = options.CurrentValue;
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var time = current.TimestampFormat is { } format
            ? (current.UseUtcTimestamp ? timeProvider.GetUtcNow() : timeProvider.GetLocalNow()).ToString(format, System.Globalization.CultureInfo.InvariantCulture)
            : string.Empty;
        textWriter.Write($"{time}{Level(logEntry.LogLevel)}: {logEntry.Category}[{logEntry.EventId.Id}] {OneLine(message)}");
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(current.FullExceptions ? Environment.NewLine + exception : $" ({exception.GetType().Name}: {OneLine(exception.Message)})");
        }

        textWriter.Write(Environment.NewLine);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };
}

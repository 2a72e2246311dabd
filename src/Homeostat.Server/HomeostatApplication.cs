using System.Net;
using Homeostat.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

/// <summary>How the service is started: from the CLI's flags, or from a test.</summary>
public sealed record HomeostatAppSettings
{
    public string? ConfigPath { get; init; }

    public string? DataDirectory { get; init; }

    public string? Listen { get; init; }

    /// <summary>True turns global dry-run off (<c>--live</c>); null leaves it to the config (default: dry-run).</summary>
    public bool? Live { get; init; }

    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Runs after the defaults, so tests can replace the clock, actions or notifiers.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public bool RunWorkers { get; init; } = true;

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;
}

/// <summary>The composition root of the service: configuration, engine, store, workers and the HTTP API.</summary>
public static class HomeostatApplication
{
    public static WebApplication Build(HomeostatAppSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        var overrides = new Dictionary<string, string?>(settings.Overrides);
        if (settings.Listen is not null)
        {
            overrides[$"{ServerOptions.Section}:Listen"] = settings.Listen;
        }

        if (settings.Live == true)
        {
            overrides["Guardrails:DryRun"] = "false";
        }

        builder.Configuration.AddHomeostatSources(settings.ConfigPath, overrides);
        var configuration = builder.Configuration;

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = HomeostatConsoleFormatter.Name)
            .AddConsoleFormatter<HomeostatConsoleFormatter, HomeostatConsoleFormatterOptions>(o =>
            {
                o.TimestampFormat = "HH:mm:ss ";
                o.FullExceptions = settings.MinimumLogLevel <= LogLevel.Debug;
            });
        builder.Logging.SetMinimumLevel(settings.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // A start-up failure is reported once, located, by the caller (StartHomeostatAsync); the host's own report of it
        // is only for debugging. Its critical messages (a background service stopping the host) still show.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", settings.MinimumLogLevel <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Critical);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        var modules = builder.Services.AddHomeostatModules(configuration, settings.DataDirectory);
        if (settings.RunWorkers)
        {
            modules.AddWorkers();
        }

        builder.Services.AddProblemDetails();
        settings.ConfigureServices?.Invoke(builder.Services);

        var serverOptions = new ServerOptions();
        try
        {
            configuration.GetSection(ServerOptions.Section).Bind(serverOptions);
        }
        catch (InvalidOperationException)
        {
            // A server value that does not bind is reported, located and with every other problem, by the start-up check below.
            serverOptions = new ServerOptions();
        }

        builder.WebHost.UseUrls(serverOptions.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = serverOptions.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        var app = builder.Build();
        try
        {
            // Everything run refuses is found here, all at once and located, before anything starts. What it only
            // warns about (the built-in catalog naming an action whose module is off) is logged.
            foreach (var warning in StartupCheck.EnsureValid(app.Services, configuration).Warnings)
            {
                StartupLog.Warning(app.Logger, warning.ToString());
            }
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHomeostatApi();
        return app;
    }

    /// <summary>
    /// Starts the service. A failure to start (the port in use, a store it cannot open) becomes a located
    /// <see cref="StartupException"/>; the full exception is logged at debug level only.
    /// </summary>
    public static async Task StartHomeostatAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not StartupException)
        {
            app.Logger.LogDebug(exception, "Homeostat failed to start");
            var sections = app.Services.GetServices<HomeostatModule>().SelectMany(m => m.Sections);
            var locator = new ConfigLocator(app.Configuration, sections.ToList());
            var listen = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.Listen;
            throw new StartupException(exception switch
            {
                IOException when exception.Message.Contains("bind", StringComparison.OrdinalIgnoreCase) || exception.InnerException is System.Net.Sockets.SocketException =>
                    [locator.At($"{ServerOptions.Section}:Listen", $"cannot listen on {listen}: {exception.Message.TrimEnd('.')}", quoteValue: false)],
                Healing.StoreIncompatibleException or Healing.StoreDamagedException or Microsoft.Data.Sqlite.SqliteException =>
                    [locator.At("Data", $"cannot open the store: {exception.Message.TrimEnd('.')}", quoteValue: false)],
                _ => StartupCheck.Locate(exception, app.Configuration, sections),
            });
        }
    }
}

internal static partial class StartupLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "start-up: {Problem}")]
    public static partial void Warning(ILogger logger, string problem);
}

/// <summary>Refuses to open write endpoints to the network without a token.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        if (!Uri.TryCreate(options.Listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return ValidateOptionsResult.Fail($"server.listen must be an http(s) URL such as http://127.0.0.1:8088 (got '{options.Listen}')");
        }

        var loopback = uri.Host is "localhost" || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback && ApiToken.Read(options) is null && !options.AllowUnauthenticatedWrites)
        {
            return ValidateOptionsResult.Fail(
                $"server.listen {options.Listen} is reachable from other hosts but no API token is set: set the {options.ApiTokenEnv} environment variable or server.api_token_file (or allow_unauthenticated_writes: true, not recommended)");
        }

        if (options.ApiTokenFile is { Length: > 0 } file && !File.Exists(file))
        {
            return ValidateOptionsResult.Fail($"server.api_token_file '{file}' does not exist");
        }

        return ValidateOptionsResult.Success;
    }
}

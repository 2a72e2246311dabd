using Homeostat.Configuration;
using Homeostat.Server.Access;
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
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
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
            // The intake limits decide the body size (per request, in the handlers); this is the server-wide ceiling.
            k.Limits.MaxRequestBodySize = BodyCeiling(k.ApplicationServices, serverOptions);
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

        // The tokens are read now, so their reload timer runs from start-up rather than from the first request.
        app.Services.GetRequiredService<TokenStore>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHomeostatApi();
        return app;
    }

    private static long BodyCeiling(IServiceProvider? services, ServerOptions serverOptions)
    {
        try
        {
            return services?.GetService<IOptions<Signals.IntakeLimits>>()?.Value.MaxBodyBytes ?? serverOptions.MaxRequestBodyBytes;
        }
        catch (OptionsValidationException)
        {
            // Invalid limits are reported, located, by the start-up check.
            return serverOptions.MaxRequestBodyBytes;
        }
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

/// <summary>
/// The server's start-up check, shared by <c>run</c> and <c>validate</c>: every token source configured must hold a
/// token, and every <c>server.listen</c> URL, each on its own, must be loopback unless a token is configured.
/// </summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var problems = new List<string>();
        var addresses = ListenAddresses.Parse(options.Listen, problems);
        var tokens = TokenSources.Read(options);
        problems.AddRange(tokens.Problems);

        // A token source that is configured but broken is reported above; it still counts as "a token is meant here".
        var protectedByToken = TokenSources.AnyConfigured(options, Environment.GetEnvironmentVariable);
        foreach (var open in ListenAddresses.BeyondLoopback(addresses))
        {
            if (!protectedByToken && !options.AllowUnauthenticatedWrites)
            {
                problems.Add(
                    $"server.listen {open.Url} is reachable from other hosts but no API token is set: {open.Host} is not a loopback address; "
                    + $"add server.tokens, or set server.api_token_file or the {options.ApiTokenEnv} environment variable, or listen on 127.0.0.1 "
                    + "(allow_unauthenticated_writes: true opens the whole API without a token, only behind an authenticating proxy)");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

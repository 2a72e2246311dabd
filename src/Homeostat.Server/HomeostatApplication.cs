using System.Net;
using Homeostat.Configuration;
using Homeostat.Learning;
using Homeostat.Llm;
using Homeostat.Postgres.Actions;
using Homeostat.Kubernetes;
using Homeostat.Sqlite;
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
        if (settings.ConfigPath is not null)
        {
            builder.Configuration.AddYamlFile(settings.ConfigPath);
        }

        builder.Configuration.AddEnvironmentVariables("HOMEOSTAT__");
        var overrides = new Dictionary<string, string?>(settings.Overrides);
        if (settings.Listen is not null)
        {
            overrides[$"{ServerOptions.Section}:Listen"] = settings.Listen;
        }

        if (settings.Live == true)
        {
            overrides["Guardrails:DryRun"] = "false";
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        var configuration = builder.Configuration;

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(settings.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        var dataDirectory = settings.DataDirectory ?? configuration["Data"] ?? ".homeostat";
        builder.Services.AddHomeostatEngine(configuration);
        builder.Services.AddHomeostatLearning(configuration);
        builder.Services.AddHomeostatLlm(configuration);
        builder.Services.AddHomeostatPostgresActions(configuration);
        builder.Services.AddHomeostatKubernetes(configuration);
        builder.Services.AddHomeostatSqlite(o => o.DataDirectory = dataDirectory);
        if (settings.RunWorkers)
        {
            builder.Services.AddHomeostatWorkers();
        }

        builder.Services.AddOptions<ServerOptions>()
            .Bind(configuration.GetSection(ServerOptions.Section), b => b.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddSingleton<ApiToken>();
        builder.Services.AddProblemDetails();
        settings.ConfigureServices?.Invoke(builder.Services);

        var serverOptions = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        builder.WebHost.UseUrls(serverOptions.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = serverOptions.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHomeostatApi();
        return app;
    }
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

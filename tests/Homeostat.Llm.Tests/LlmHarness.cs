using Homeostat.Configuration;
using System.Collections.Concurrent;
using Homeostat.Diagnosis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Llm.Tests;

/// <summary>
/// The LLM classifier wired exactly as a host wires it (<see cref="LlmServiceCollectionExtensions.AddHomeostatLlm"/>
/// from configuration), talking to a <see cref="FakeLlmServer"/> on 127.0.0.1, on a fake clock, with logs recorded.
/// </summary>
public sealed class LlmHarness : IDisposable
{
    public const string KeyEnv = "HOMEOSTAT_TEST_LLM_KEY";
    public const string Key = "sk-homeostat-test-5e1c9a77d0";

    public static readonly ClassSet Classes = new(FailureClasses.Seed);

    private LlmHarness(string provider, IDictionary<string, string?>? extra)
    {
        Environment.SetEnvironmentVariable(KeyEnv, Key);
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Enabled"] = "true",
            ["Llm:Provider"] = provider,
            ["Llm:Endpoint"] = provider == LlmProviders.Ollama ? Server.BaseUrl : Server.OpenAiEndpoint,
            ["Llm:Model"] = provider == LlmProviders.Ollama ? "llama3.1:8b" : "gpt-4o-mini",
            ["Llm:ApiKeyEnv"] = KeyEnv,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        Services = BuildServices(settings, Time, Logs);
        Services.GetRequiredService<IStartupValidator>().Validate();
        Classifier = Services.GetServices<IClassifierMember>().OfType<LlmClassifier>().Single();
    }

    public FakeLlmServer Server { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero));

    public RecordingLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    public LlmClassifier Classifier { get; }

    public static LlmHarness OpenAi(IDictionary<string, string?>? settings = null) => new(LlmProviders.OpenAi, settings);

    public static LlmHarness Ollama(IDictionary<string, string?>? settings = null) => new(LlmProviders.Ollama, settings);

    public static ServiceProvider BuildServices(IDictionary<string, string?> settings, TimeProvider? time = null, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        new HomeostatBuilder(services, configuration).AddLlm();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public void Dispose()
    {
        Services.Dispose();
        Server.Dispose();
    }
}

/// <summary>Every log line, formatted, so tests can check what was (and was not) written.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}

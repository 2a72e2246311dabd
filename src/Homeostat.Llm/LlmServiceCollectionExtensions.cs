using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Homeostat.Configuration;
using Homeostat.Diagnosis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OllamaSharp;
using OpenAI;

namespace Homeostat.Llm;

public static partial class LlmServiceCollectionExtensions
{
    /// <summary>
    /// The key of the LLM classifier's <see cref="IChatClient"/>. It is keyed so a host that uses a chat client of its
    /// own for something else cannot swap the classifier's model by accident.
    /// </summary>
    public const string ChatClientKey = "homeostat-llm";

    /// <summary>
    /// Binds and validates <see cref="LlmOptions"/> (section <c>Llm</c>, unknown keys rejected, checked at start-up).
    /// When <c>Llm:Enabled</c> is true, also registers the provider's <see cref="IChatClient"/> (keyed
    /// <see cref="ChatClientKey"/>) and <see cref="LlmClassifier"/> as an <see cref="IClassifierMember"/>; otherwise
    /// nothing else, and Homeostat runs without an LLM.
    /// </summary>
    public static HomeostatBuilder AddLlm(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.Llm, module =>
    {
        var services = module.Services;
        var section = module.Configuration.GetSection(LlmOptions.Section);
        services.AddOptions<LlmOptions>()
            .Bind(section, b => b.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        module.Section(LlmOptions.Section, typeof(LlmOptions), typeof(LlmOptions));

        // A value that is not a boolean is reported by the options binding at start-up; it does not enable anything.
        if (!bool.TryParse(section[nameof(LlmOptions.Enabled)], out var enabled) || !enabled)
        {
            return;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddKeyedSingleton<IChatClient>(ChatClientKey, (sp, _) => CreateChatClient(
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LlmClassifier))));
        services.TryAddSingleton<LlmClassifier>();
        services.AddSingleton<IClassifierMember>(sp => sp.GetRequiredService<LlmClassifier>());
    });

    /// <summary>The chat client for the configured provider. The key is read from the environment here and only sent as a bearer token.</summary>
    public static IChatClient CreateChatClient(LlmOptions options, ILogger logger)
    {
        var endpoint = new Uri(options.Endpoint!, UriKind.Absolute);
        var key = ApiKey(options, logger);

        // The classifier's own deadline (on the TimeProvider) decides; the network timeout is only a backstop.
        var networkTimeout = options.Timeout.Value + TimeSpan.FromSeconds(5);
        if (string.Equals(options.Provider, LlmProviders.Ollama, StringComparison.OrdinalIgnoreCase))
        {
            var ollama = new OllamaApiClient(endpoint, options.Model!);
            if (!string.IsNullOrEmpty(key))
            {
                // Ollama itself has no keys, but it often sits behind a proxy that wants one.
                ollama.DefaultRequestHeaders[nameof(HttpRequestHeaders.Authorization)] = $"Bearer {key}";
            }

            return ollama;
        }

        var client = new OpenAI.Chat.ChatClient(
            options.Model!,
            new ApiKeyCredential(string.IsNullOrEmpty(key) ? "unused" : key),
            new OpenAIClientOptions
            {
                Endpoint = endpoint,
                NetworkTimeout = networkTimeout,
                // No retries: a failed answer is unknown and goes to a human; retrying would only stretch the deadline.
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            });
        return client.AsIChatClient();
    }

    private static string? ApiKey(LlmOptions options, ILogger logger)
    {
        if (string.IsNullOrEmpty(options.ApiKeyEnv))
        {
            return null;
        }

        var key = Environment.GetEnvironmentVariable(options.ApiKeyEnv);
        if (string.IsNullOrEmpty(key))
        {
            Log.ApiKeyMissing(logger, options.ApiKeyEnv);
        }

        return key;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "The environment variable {Name} named by llm.api_key_env is not set; the LLM endpoint is called without a key")]
        public static partial void ApiKeyMissing(ILogger logger, string name);
    }
}

using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Homeostat.Llm;

/// <summary>Checks <see cref="LlmOptions"/> at start-up and reports every error at once. A disabled LLM is not checked.</summary>
public sealed partial class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public const int MinSignalChars = 200;
    public const int MaxSignalChars = 100_000;

    /// <summary>Classification sits in the incident's path; a slower model is not worth waiting for.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!LlmProviders.All.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"llm.provider '{options.Provider}' is not one of {string.Join(", ", LlmProviders.All)}");
        }

        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            errors.Add("llm.endpoint is required when the LLM is enabled (an absolute http or https URL)");
        }
        else if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(endpoint.Host))
        {
            errors.Add($"llm.endpoint '{options.Endpoint}' must be an absolute http or https URL");
        }
        else if (!string.IsNullOrEmpty(endpoint.UserInfo))
        {
            // Credentials in the URL would end up in logs; they belong in the environment variable named by api_key_env.
            errors.Add("llm.endpoint must not contain credentials; put the key in the environment variable named by llm.api_key_env");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            errors.Add("llm.model is required when the LLM is enabled");
        }

        if (options.ApiKeyEnv is not null && !EnvironmentVariableName().IsMatch(options.ApiKeyEnv))
        {
            // The value is not echoed: if it is the key itself, it must not reach the log.
            errors.Add("llm.api_key_env must be the name of an environment variable (letters, digits and _), not the key itself");
        }

        if (options.Timeout.Value <= TimeSpan.Zero || options.Timeout.Value > MaxTimeout)
        {
            errors.Add($"llm.timeout must be longer than zero and at most {Primitives.Duration.FromTimeSpan(MaxTimeout)} (got {options.Timeout})");
        }

        if (options.MaxSignalChars is < MinSignalChars or > MaxSignalChars)
        {
            errors.Add($"llm.max_signal_chars must be between {MinSignalChars} and {MaxSignalChars} (got {options.MaxSignalChars})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvironmentVariableName();
}

using System.Text.RegularExpressions;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Remediation.Webhook;

/// <summary>The runbook endpoints the <c>webhook</c> action may call, by the name the catalog uses.</summary>
public sealed class WebhookActionOptions
{
    public const string Section = "Actions:Webhook";

    public Dictionary<string, WebhookEndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One runbook endpoint (Rundeck, StackStorm, AWX, any HTTP receiver).</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>An absolute http(s) URL without credentials in it.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Name of an environment variable holding an HMAC-SHA256 key; the body's signature goes in <c>X-Homeostat-Signature</c>.</summary>
    public string? SecretEnv { get; set; }

    /// <summary>Name of an environment variable holding a bearer token for the receiver.</summary>
    public string? BearerTokenEnv { get; set; }

    /// <summary>Static, non-secret headers; they appear in previews.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long one attempt may take.</summary>
    public Duration Timeout { get; set; } = Duration.Parse("10s");

    public int MaxAttempts { get; set; } = 3;

    public Duration FirstRetryDelay { get; set; } = Duration.Parse("1s");
}

public sealed partial class WebhookActionOptionsValidator : IValidateOptions<WebhookActionOptions>
{
    /// <summary>Headers the action sets itself; configuring them would forge or break a delivery.</summary>
    internal static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Content-Type", "Content-Length", "Content-Encoding", "Host", "Transfer-Encoding", "Connection",
        "Expect", "Upgrade", "Proxy-Authorization", "Cookie", WebhookAction.SignatureHeader, WebhookAction.IdempotencyHeader,
    };

    public ValidateOptionsResult Validate(string? name, WebhookActionOptions options)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (endpointName, endpoint) in options.Endpoints)
        {
            var where = $"actions.webhook.endpoints.{endpointName}";
            if (!EndpointNamePattern().IsMatch(endpointName))
            {
                errors.Add($"{where}: the name must be letters, digits, '_', '-' or '.'");
            }

            if (!seen.Add(endpointName))
            {
                errors.Add($"{where}: the name is used twice (names are compared ignoring case)");
            }

            if (endpoint is null)
            {
                errors.Add($"{where}: needs a url");
                continue;
            }

            if (!WebhookAction.TryParseUrl(endpoint.Url, out _, out var urlProblem))
            {
                errors.Add($"{where}.url: {urlProblem}");
            }

            CheckEnvName(endpoint.SecretEnv, $"{where}.secret_env", errors);
            CheckEnvName(endpoint.BearerTokenEnv, $"{where}.bearer_token_env", errors);

            foreach (var (header, value) in endpoint.Headers)
            {
                if (!HeaderNamePattern().IsMatch(header))
                {
                    errors.Add($"{where}.headers: '{header}' is not a valid header name");
                }
                else if (ReservedHeaders.Contains(header))
                {
                    errors.Add($"{where}.headers: '{header}' is set by the action and may not be configured");
                }

                if (value is null || value.Any(char.IsControl))
                {
                    errors.Add($"{where}.headers.{header}: the value may not be empty or contain control characters");
                }
            }

            if (endpoint.MaxAttempts is < 1 or > 10)
            {
                errors.Add($"{where}.max_attempts must be between 1 and 10 (got {endpoint.MaxAttempts})");
            }

            if (endpoint.Timeout.Value <= TimeSpan.Zero || endpoint.Timeout.Value > TimeSpan.FromMinutes(5))
            {
                errors.Add($"{where}.timeout must be longer than zero and at most 5m (got {endpoint.Timeout})");
            }

            if (endpoint.FirstRetryDelay.Value < TimeSpan.Zero || endpoint.FirstRetryDelay.Value > TimeSpan.FromMinutes(5))
            {
                errors.Add($"{where}.first_retry_delay must be between 0s and 5m (got {endpoint.FirstRetryDelay})");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckEnvName(string? name, string where, List<string> errors)
    {
        if (name is not null && !EnvNamePattern().IsMatch(name))
        {
            errors.Add($"{where}: '{name}' is not an environment variable name (letters, digits and '_'); put the secret in the environment, not here");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*\\z")]
    internal static partial Regex EndpointNamePattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+\\z")]
    private static partial Regex HeaderNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvNamePattern();
}

using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Verification;

public sealed class VerificationOptionsValidator : IValidateOptions<VerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, VerificationOptions options)
    {
        var errors = new List<string>();
        if (!VerificationOptions.Choices.Contains(options.AlertmanagerSignals))
        {
            errors.Add($"verification.alertmanager_signals must be one of {string.Join(", ", VerificationOptions.Choices)} (got '{options.AlertmanagerSignals}')");
        }

        if (options.Prometheus is { } prometheus)
        {
            CheckUrl("verification.prometheus.url", prometheus.Url, required: false, errors);
            CheckTimeout("verification.prometheus.timeout", prometheus.Timeout, errors);
        }

        var alertmanager = options.Alertmanager;
        if (options.AlertmanagerSignals == VerificationOptions.UseAlertmanager && string.IsNullOrWhiteSpace(alertmanager?.Url))
        {
            errors.Add("verification.alertmanager_signals is 'alertmanager' but verification.alertmanager.url is not set");
        }

        if (alertmanager is not null)
        {
            CheckUrl("verification.alertmanager.url", alertmanager.Url, required: false, errors);
            CheckTimeout("verification.alertmanager.timeout", alertmanager.Timeout, errors);
            if (alertmanager.BearerTokenFile is { Length: > 0 } file && !File.Exists(file))
            {
                errors.Add($"verification.alertmanager.bearer_token_file '{file}' does not exist");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>An absolute http(s) URL with a host; shared by every option that names a Prometheus-style server.</summary>
    public static void CheckUrl(string key, string? url, bool required, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            if (required)
            {
                errors.Add($"{key} is required (an http(s) URL such as http://127.0.0.1:9090)");
            }

            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"{key} must be an absolute http(s) URL without query, such as http://127.0.0.1:9090 (got '{url}')");
        }
    }

    public static void CheckTimeout(string key, Duration timeout, List<string> errors)
    {
        if (timeout.Value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be longer than zero (got {timeout})");
        }
    }
}

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
            CheckUrl("verification.prometheus.url", prometheus.Url, required: false, errors, "put the token in verification.prometheus.bearer_token_file instead");
            CheckTimeout("verification.prometheus.timeout", prometheus.Timeout, errors);
            CheckTokenFile("verification.prometheus.bearer_token_file", prometheus.BearerTokenFile, errors);
        }

        var alertmanager = options.Alertmanager;
        if (options.AlertmanagerSignals == VerificationOptions.UseAlertmanager && string.IsNullOrWhiteSpace(alertmanager?.Url))
        {
            errors.Add("verification.alertmanager_signals is 'alertmanager' but verification.alertmanager.url is not set");
        }

        if (alertmanager is not null)
        {
            CheckUrl("verification.alertmanager.url", alertmanager.Url, required: false, errors, "put the token in verification.alertmanager.bearer_token_file instead");
            CheckTimeout("verification.alertmanager.timeout", alertmanager.Timeout, errors);
            CheckTokenFile("verification.alertmanager.bearer_token_file", alertmanager.BearerTokenFile, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static void CheckTokenFile(string key, string? file, List<string> errors)
    {
        if (file is { Length: > 0 } && !File.Exists(file))
        {
            errors.Add($"{key} '{file}' does not exist");
        }
    }

    /// <summary>
    /// An absolute http(s) URL with a host and without credentials; shared by every option that names a Prometheus-style
    /// server. Credentials are refused because the URL is echoed into errors, the audit trail and signals' generatorURL.
    /// </summary>
    /// <param name="credentialsInstead">Says where credentials go instead, such as the section's <c>bearer_token_file</c>.</param>
    public static void CheckUrl(string key, string? url, bool required, List<string> errors, string credentialsInstead)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            if (required)
            {
                errors.Add($"{key} is required (an http(s) URL such as http://127.0.0.1:9090)");
            }

            return;
        }

        var parsed = Uri.TryCreate(url, UriKind.Absolute, out var uri);
        if (parsed && !string.IsNullOrEmpty(uri!.UserInfo))
        {
            // Never echo the URL here: it holds the password.
            errors.Add($"{key} must not contain credentials (user:password@); they would be shown in logs, the audit trail and signal links. Remove them: {credentialsInstead}");
            return;
        }

        if (!parsed || uri!.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"{key} must be an absolute http(s) URL without query, such as http://127.0.0.1:9090 (got '{RedactUserInfo(url)}')");
        }
    }

    /// <summary>
    /// The URL with everything between <c>://</c> (or the start) and the last <c>@</c> replaced by <c>***</c>. Works on the
    /// raw text because a URL that does not parse (a bad port, say) can still hold a password.
    /// </summary>
    public static string RedactUserInfo(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var at = url.LastIndexOf('@');
        return at < start ? url : string.Concat(url.AsSpan(0, start), "***", url.AsSpan(at));
    }

    public static void CheckTimeout(string key, Duration timeout, List<string> errors)
    {
        if (timeout.Value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be longer than zero (got {timeout})");
        }
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Homeostat.Catalog;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Homeostat.Remediation.Webhook;

/// <summary>
/// Starts a job in a runbook system (Rundeck, StackStorm, AWX, any HTTP receiver) by POSTing JSON to a configured
/// endpoint. Retries with exponential backoff on 5xx, 429, timeouts and network errors; any other 4xx is final.
/// Every attempt carries the same <c>Idempotency-Key</c>, so a receiver can recognise a retried delivery.
/// </summary>
public sealed class WebhookAction(IHttpClientFactory httpClients, IOptionsMonitor<WebhookActionOptions> options, TimeProvider timeProvider) : IRemediationAction
{
    public const string Name = "webhook";
    public const string ClientName = "homeostat-webhook-action";
    public const string SignatureHeader = "X-Homeostat-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaxResponseChars = 2048;

    public static readonly ActionDescriptor Definition = new(
        Name,
        "POST a JSON request to a configured runbook endpoint (Rundeck, StackStorm, AWX or any HTTP receiver), signed and idempotent, with retries.",
        [
            new ParameterSpec("endpoint", ParameterKind.String, "the name of an endpoint configured under actions.webhook.endpoints") { Required = true, Pattern = "[A-Za-z0-9][A-Za-z0-9_.-]*" },
            new ParameterSpec("body", ParameterKind.String, "a JSON template; placeholders such as {{service}} or {{label.NAME}} go inside JSON strings. Without it a default document is sent"),
            new ParameterSpec("expect_status", ParameterKind.Integer, "the HTTP status that counts as success instead of any 2xx") { Minimum = 100, Maximum = 599 },
        ])
    {
        Premise = PremiseDescriptor.Unobservable("the runbook behind the endpoint decides what it checks; Homeostat only sends the request"),
    };

    public ActionDescriptor Descriptor => Definition;

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryPlan(request, out var plan, out var problem))
        {
            return Task.FromResult(ActionPreview.Refused(problem));
        }

        var changes = new List<string> { $"POST {plan.DisplayUrl}", "Content-Type: application/json", $"{IdempotencyHeader}: {plan.IdempotencyKey}" };
        if (plan.Endpoint.SecretEnv is { } secretEnv)
        {
            changes.Add($"{SignatureHeader}: sha256=<HMAC-SHA256 of the body, key from ${secretEnv}>");
        }

        if (plan.Endpoint.BearerTokenEnv is { } tokenEnv)
        {
            changes.Add($"Authorization: Bearer <token from ${tokenEnv}>");
        }

        changes.AddRange(plan.Endpoint.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}: {h.Value}"));
        changes.Add($"body: {plan.Body}");
        var summary = $"would POST to webhook endpoint '{plan.EndpointName}' ({plan.DisplayUrl}), up to {plan.Endpoint.MaxAttempts} attempt(s) of {plan.Endpoint.Timeout} each; "
            + $"success is {ExpectedDescription(plan.ExpectStatus)}";
        return Task.FromResult(new ActionPreview(true, summary, changes));
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryPlan(request, out var plan, out var problem))
        {
            return ActionOutcome.Failed(problem);
        }

        var bodyBytes = Encoding.UTF8.GetBytes(plan.Body);
        var signature = plan.Secret is null ? null : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(plan.Secret), bodyBytes));
        var attempts = 0;
        var started = timeProvider.GetTimestamp();
        var client = httpClients.CreateClient(ClientName);
        var pipeline = BuildPipeline(plan, timeProvider);
        Attempt? final = null;
        string? error = null;
        try
        {
            final = await pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    using var message = new HttpRequestMessage(HttpMethod.Post, plan.Url) { Content = new ByteArrayContent(bodyBytes) };
                    message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    message.Headers.Add(IdempotencyHeader, plan.IdempotencyKey);
                    if (signature is not null)
                    {
                        message.Headers.Add(SignatureHeader, signature);
                    }

                    if (plan.Token is not null)
                    {
                        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", plan.Token);
                    }

                    foreach (var (name, value) in plan.Endpoint.Headers)
                    {
                        if (!message.Headers.TryAddWithoutValidation(name, value))
                        {
                            message.Content.Headers.TryAddWithoutValidation(name, value);
                        }
                    }

                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token);
                    var text = await ReadLimitedAsync(response, token);
                    return new Attempt((int)response.StatusCode, text);
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            error = $"no answer within {plan.Endpoint.Timeout}";
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            error = exception is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http
                ? $"{http.HttpRequestError}: {exception.Message}"
                : exception.Message;
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        var changes = new List<string>
        {
            $"endpoint: {plan.EndpointName}",
            $"request: POST {plan.DisplayUrl}",
            $"{IdempotencyHeader}: {plan.IdempotencyKey}",
            $"attempts: {attempts}",
            $"duration: {FormatDuration(elapsed)}",
        };
        if (final is null)
        {
            var reason = plan.Redact(error ?? "no response");
            changes.Add($"error: {reason}");
            return new ActionOutcome(ActionStatus.Failed, $"webhook '{plan.EndpointName}' failed after {attempts} attempt(s) in {FormatDuration(elapsed)}: {reason}", changes);
        }

        var response = plan.Redact(Clean(plan.Redact(final.Body)));
        changes.Add($"status: {final.Status}");
        changes.Add($"response: {response}");
        var succeeded = IsSuccess(final.Status, plan.ExpectStatus);
        var verdict = succeeded
            ? $"webhook '{plan.EndpointName}' accepted the request: HTTP {final.Status} after {attempts} attempt(s) in {FormatDuration(elapsed)}"
            : $"webhook '{plan.EndpointName}' failed: HTTP {final.Status} after {attempts} attempt(s) in {FormatDuration(elapsed)} (expected {ExpectedDescription(plan.ExpectStatus)})";
        if (response.Length > 0)
        {
            verdict += $"; response: {(response.Length > 200 ? response[..200] + "…" : response)}";
        }

        return new ActionOutcome(succeeded ? ActionStatus.Succeeded : ActionStatus.Failed, verdict, changes);
    }

    /// <summary>Checks a configured URL: absolute, http or https, no user name or password in it.</summary>
    public static bool TryParseUrl(string? text, [NotNullWhen(true)] out Uri? url, out string problem)
    {
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text, UriKind.Absolute, out url))
        {
            url = null;
            problem = "must be an absolute http or https URL";
            return false;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"must use http or https (got {url.Scheme})";
            url = null;
            return false;
        }

        if (url.UserInfo.Length > 0)
        {
            problem = "must not contain credentials; use secret_env or bearer_token_env";
            url = null;
            return false;
        }

        return true;
    }

    /// <summary>The URL as previews and outcomes show it: query values are hidden in case one is a key.</summary>
    internal static string DisplayUrl(Uri url)
    {
        var display = url.GetLeftPart(UriPartial.Path);
        if (url.Query.Length > 1)
        {
            var names = url.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)[0] + "=***");
            display += "?" + string.Join("&", names);
        }

        return display;
    }

    private bool TryPlan(ActionRequest request, out Plan plan, out string problem)
    {
        plan = null!;
        var endpointName = request.Parameters.String("endpoint");
        if (string.IsNullOrEmpty(endpointName))
        {
            problem = "the catalog names no webhook endpoint (parameter endpoint)";
            return false;
        }

        var endpoints = options.CurrentValue.Endpoints;
        var (configuredName, endpoint) = FindEndpoint(endpoints, endpointName);
        if (endpoint is null)
        {
            var known = endpoints.Keys.Order(StringComparer.Ordinal).ToList();
            problem = $"no webhook endpoint named '{endpointName}' is configured under actions.webhook.endpoints"
                + (known.Count == 0 ? " (none are)" : $"; configured: {string.Join(", ", known)}");
            return false;
        }

        if (!TryParseUrl(endpoint.Url, out var url, out var urlProblem))
        {
            problem = $"webhook endpoint '{configuredName}': url {urlProblem}";
            return false;
        }

        string? secret = null;
        if (endpoint.SecretEnv is { } secretEnv)
        {
            secret = Environment.GetEnvironmentVariable(secretEnv);
            if (string.IsNullOrEmpty(secret))
            {
                problem = $"webhook endpoint '{configuredName}' signs its requests, but the environment variable {secretEnv} is not set";
                return false;
            }
        }

        string? token = null;
        if (endpoint.BearerTokenEnv is { } tokenEnv)
        {
            token = Environment.GetEnvironmentVariable(tokenEnv);
            if (string.IsNullOrEmpty(token))
            {
                problem = $"webhook endpoint '{configuredName}' needs a bearer token, but the environment variable {tokenEnv} is not set";
                return false;
            }
        }

        if (!WebhookBody.TryBuild(request, request.Parameters.String("body"), out var body, out problem))
        {
            return false;
        }

        var idempotencyKey = SafeHeaderValue($"{request.IncidentId}-{request.Remediation.SpecHash}");
        plan = new Plan(configuredName, endpoint, url, DisplayUrl(url), body, idempotencyKey, (int?)request.Parameters.Integer("expect_status"), secret, token);
        return true;
    }

    private static (string Name, WebhookEndpointOptions? Endpoint) FindEndpoint(Dictionary<string, WebhookEndpointOptions> endpoints, string name)
    {
        // Config keys may have been turned from snake_case into PascalCase by the YAML provider; accept both spellings.
        var pascal = Configuration.YamlConfigurationProvider.ToPascal(name);
        foreach (var candidate in new[] { name, pascal })
        {
            foreach (var (key, endpoint) in endpoints)
            {
                if (string.Equals(key, candidate, StringComparison.OrdinalIgnoreCase) && endpoint is not null)
                {
                    return (key, endpoint);
                }
            }
        }

        return (name, null);
    }

    private static ResiliencePipeline<Attempt> BuildPipeline(Plan plan, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = timeProvider };

        // Polly refuses a retry strategy with no retries: one attempt means no strategy at all.
        if (plan.Endpoint.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = plan.Endpoint.MaxAttempts - 1,
                Delay = plan.Endpoint.FirstRetryDelay.Value,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<Attempt>()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(a => a.Status != plan.ExpectStatus && (a.Status >= 500 || a.Status == (int)HttpStatusCode.TooManyRequests)),
            });
        }

        return builder.AddTimeout(plan.Endpoint.Timeout.Value).Build();
    }

    private static bool IsSuccess(int status, int? expected) => expected is { } wanted ? status == wanted : status is >= 200 and < 300;

    private static string ExpectedDescription(int? expected) => expected is { } wanted ? $"HTTP {wanted}" : "any 2xx status";

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        // UTF-8 needs at most four bytes a character: this is enough for the kept characters and no more is read.
        var buffer = new byte[MaxResponseChars * 4];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Control characters go (line breaks become spaces), and the text is cut to 2 KiB.</summary>
    internal static string Clean(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxResponseChars));
        foreach (var character in text)
        {
            if (builder.Length >= MaxResponseChars)
            {
                break;
            }

            if (character is '\n' or '\r' or '\t')
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
            }
            else if (!char.IsControl(character) && character is not ('\u2028' or '\u2029' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069')))
            {
                builder.Append(character);
            }
        }

        return builder.ToString().Trim();
    }

    private static string SafeHeaderValue(string text) =>
        string.Concat(text.Where(c => c is > ' ' and < '\u007f'));

    private static string FormatDuration(TimeSpan elapsed) =>
        elapsed < TimeSpan.FromSeconds(1)
            ? $"{elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}ms"
            : $"{elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";

    private sealed record Attempt(int Status, string Body);

    private sealed record Plan(
        string EndpointName,
        WebhookEndpointOptions Endpoint,
        Uri Url,
        string DisplayUrl,
        string Body,
        string IdempotencyKey,
        int? ExpectStatus,
        string? Secret,
        string? Token)
    {
        /// <summary>Removes the secret, the token and the URL's query from text that may be shown or stored.</summary>
        public string Redact(string text)
        {
            if (Url.Query.Length > 1)
            {
                text = text.Replace(Url.Query, "?***", StringComparison.Ordinal);
            }

            foreach (var hidden in new[] { Secret, Token })
            {
                if (!string.IsNullOrEmpty(hidden))
                {
                    text = text.Replace(hidden, "***", StringComparison.Ordinal);
                }
            }

            return text;
        }
    }
}

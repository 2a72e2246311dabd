using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Homeostat.Escalation;

public sealed class WebhookNotifierOptions
{
    public const string Section = "Notifiers:Webhook";

    /// <summary>Where to POST escalations. Empty disables the notifier.</summary>
    [Url]
    public string? Url { get; set; }

    /// <summary>Name of an environment variable holding an HMAC-SHA256 key; the body's signature goes in <c>X-Homeostat-Signature</c>.</summary>
    public string? SecretEnv { get; set; }

    /// <summary>Name of an environment variable holding a bearer token for the receiver.</summary>
    public string? BearerTokenEnv { get; set; }

    /// <summary>
    /// Quick attempts within one delivery (on 5xx, 429, network errors and timeouts). Between deliveries the outbox
    /// retries with its own back-off (healing.notifications), so one attempt is the default.
    /// </summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 1;

    public Duration FirstRetryDelay { get; set; } = Duration.Parse("1s");

    public Duration AttemptTimeout { get; set; } = Duration.Parse("10s");
}

/// <summary>
/// POSTs each escalation as JSON to a configured URL, retrying with exponential backoff on 5xx, 429, network
/// errors and timeouts. A 4xx other than 429 is final: the receiver rejected the notice.
/// </summary>
public sealed class WebhookNotifier(IHttpClientFactory httpClients, IOptions<WebhookNotifierOptions> options, TimeProvider timeProvider) : INotifier
{
    public const string SignatureHeader = "X-Homeostat-Signature";
    public const string ClientName = "homeostat-webhook";

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = BuildPipeline(options.Value, timeProvider);

    public string Name => "webhook";

    public async Task<NotificationResult> NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.Url))
        {
            return new NotificationResult(Name, false, 0, "no webhook URL configured");
        }

        var body = JsonSerializer.Serialize(new { version = "1", kind = "escalation", notice }, HomeostatJson.Options);
        var secret = settings.SecretEnv is null ? null : Environment.GetEnvironmentVariable(settings.SecretEnv);
        var token = settings.BearerTokenEnv is null ? null : Environment.GetEnvironmentVariable(settings.BearerTokenEnv);
        var attempts = 0;
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async token2 =>
                {
                    attempts++;
                    using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    if (!string.IsNullOrEmpty(secret))
                    {
                        request.Headers.Add(SignatureHeader, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
                    }

                    if (!string.IsNullOrEmpty(token))
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }

                    return await httpClients.CreateClient(ClientName).SendAsync(request, token2);
                },
                cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new NotificationResult(Name, true, attempts, $"delivered: HTTP {(int)response.StatusCode}");
            }

            var status = (int)response.StatusCode;
            var transient = status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
            return new NotificationResult(Name, false, attempts, $"{(transient ? "failed" : "rejected")}: HTTP {status}") { Retryable = transient || status == 408 };
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutRejectedException)
        {
            return new NotificationResult(Name, false, attempts, $"gave up after {attempts} attempt(s): {exception.Message}");
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(WebhookNotifierOptions settings, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (settings.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, settings.MaxAttempts - 1),
                Delay = settings.FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
            });
        }

        return builder.AddTimeout(settings.AttemptTimeout.Value).Build();
    }
}

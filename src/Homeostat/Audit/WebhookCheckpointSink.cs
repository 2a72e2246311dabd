using System.Text;
using Microsoft.Extensions.Options;

namespace Homeostat.Audit;

/// <summary>
/// Posts each checkpoint to <c>audit.checkpoints.webhook_url</c>. The body is the checkpoint as the checkpoint file holds
/// it, signed with the audit key, so the receiver needs nothing else to keep it and a later <c>audit --verify</c> can use it.
/// A failed post is logged by the writer and not retried: the next checkpoint supersedes it.
/// </summary>
public sealed class WebhookCheckpointSink(IHttpClientFactory clients, IOptions<AuditOptions> options) : IAuditCheckpointSink
{
    public const string ClientName = "audit-checkpoint-webhook";

    public async Task PublishAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        if (options.Value.Checkpoints.WebhookUrl is not { Length: > 0 } url)
        {
            return;
        }

        using var content = new StringContent(checkpoint.ToJson(), Encoding.UTF8, "application/json");
        using var response = await clients.CreateClient(ClientName).PostAsync(url, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{Redacted(url)} answered {(int)response.StatusCode}");
        }
    }

    public static bool IsUsableUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo);

    /// <summary>The URL without user information and query, where a receiver's secrets travel.</summary>
    public static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "(not a URL)";
}

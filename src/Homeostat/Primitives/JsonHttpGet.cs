using System.Net;
using System.Text;

namespace Homeostat.Primitives;

/// <summary>What one bounded GET brought back: the status and body, or why there is none.</summary>
public sealed record HttpGetResult(HttpStatusCode Status, string Body, string? Failure)
{
    public bool Succeeded => Failure is null;

    public static HttpGetResult Failed(string failure) => new(default, string.Empty, failure);
}

/// <summary>
/// One GET of a JSON API (Prometheus, Alertmanager) with a timeout on the injected clock and a bounded body. An
/// unreachable or slow server, or an oversized answer, comes back as a failure naming the server, never as an
/// exception or an empty body.
/// </summary>
public static class JsonHttpGet
{
    public const int MaxErrorText = 300;

    /// <summary>Bounds what one answer can make us hold; the values inside are kept whole so they compare exactly.</summary>
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    /// <param name="server">Names the server in failures, such as <c>Prometheus at http://…</c>.</param>
    public static async Task<HttpGetResult> SendAsync(
        HttpClient client, HttpRequestMessage request, string server, Duration timeout, TimeProvider timeProvider, CancellationToken cancellationToken, int maxBodyBytes = MaxBodyBytes)
    {
        using var limit = new CancellationTokenSource(timeout.Value, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var tooLarge = HttpGetResult.Failed($"{server} answered with more than {maxBodyBytes} bytes");
            if (response.Content.Headers.ContentLength > maxBodyBytes)
            {
                return tooLarge;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            using var body = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, linked.Token)) > 0)
            {
                if (body.Length + read > maxBodyBytes)
                {
                    return tooLarge;
                }

                body.Write(chunk, 0, read);
            }

            return new HttpGetResult(response.StatusCode, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length), null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HttpGetResult.Failed($"{server} gave no answer within {timeout}");
        }
        catch (HttpRequestException exception)
        {
            return HttpGetResult.Failed($"{server} is unreachable: {exception.Message}");
        }
        catch (IOException exception)
        {
            return HttpGetResult.Failed($"{server} broke off its answer: {exception.Message}");
        }
    }

    /// <summary>An untrusted body made fit for an error text: one line, bounded.</summary>
    public static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxErrorText ? (text.Length == 0 ? "(empty body)" : text) : text[..MaxErrorText] + "…";
    }
}

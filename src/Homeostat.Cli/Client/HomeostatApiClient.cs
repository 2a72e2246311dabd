using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeostat.Cli.Commands;
using Homeostat.Healing;
using Homeostat.Primitives;

namespace Homeostat.Cli.Client;

/// <summary>
/// The operator commands sent to a running service's HTTP API with the bearer token. An answer (done, or refused with the
/// service's sentence) is an <see cref="OperatorResult"/>, exactly as the store gives it offline; a service that cannot
/// be reached, refuses the token or does not answer in Homeostat's JSON is a <see cref="ServiceCallException"/>.
/// </summary>
internal sealed class HomeostatApiClient : IOperatorTarget
{
    /// <summary>An operator answer is one sentence; anything near this size is not one.</summary>
    private const int MaxAnswerBytes = 256 * 1024;

    private readonly HttpClient _http;
    private readonly ServerConnection _connection;

    public HomeostatApiClient(ServerConnection connection)
    {
        _connection = connection;

        // No redirects: a token is for the URL the operator named, and a redirect is not Homeostat's answer.
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = connection.Timeout };
        _http = new HttpClient(handler) { BaseAddress = connection.BaseAddress, Timeout = connection.Timeout, MaxResponseContentBufferSize = MaxAnswerBytes };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("homeostat-cli", typeof(HomeostatApiClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public Task<OperatorResult> ApproveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        PostAsync($"api/v1/approvals/{Segment(incidentId)}/approve", Body(("by", by), ("note", note)), cancellationToken);

    public Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        PostAsync($"api/v1/approvals/{Segment(incidentId)}/reject", Body(("by", by), ("note", note)), cancellationToken);

    public Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        PostAsync($"api/v1/incidents/{Segment(incidentId)}/resolve", Body(("by", by), ("note", note)), cancellationToken);

    public Task<OperatorResult> LabelAsync(string incidentId, string failureClass, string by, CancellationToken cancellationToken) =>
        PostAsync($"api/v1/incidents/{Segment(incidentId)}/label", Body(("class", failureClass), ("by", by)), cancellationToken);

    public Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken) =>
        PostAsync("api/v1/suspensions/resume", Body(("service", service), ("class", failureClass), ("by", by)), cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken) =>
        PostAsync($"api/v1/remediations/{Segment(failureClass)}/promote?by={Uri.EscapeDataString(by)}", null, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<OperatorResult> PostAsync(string path, string? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (_connection.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _connection.Token);
        }

        var endpoint = $"POST {_connection.BaseAddress.AbsolutePath.TrimEnd('/')}/{path.Split('?')[0]}";
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return Interpret(response, text, endpoint);
        }
        catch (HttpRequestException exception)
        {
            // "Connection refused (host:port)" says it all; a TLS failure says "see inner exception", so say the inner one.
            var reason = exception.InnerException is { } inner && exception.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) ? inner.Message : exception.Message;
            throw new ServiceCallException($"cannot reach the service at {_connection.Url}: {OneLine(reason)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceCallException(
                $"the service at {_connection.Url} did not answer {endpoint} within {Duration.FromTimeSpan(_connection.Timeout)}; is it up and reachable? (--timeout waits longer)");
        }
    }

    private OperatorResult Interpret(HttpResponseMessage response, string text, string endpoint)
    {
        var status = Printable($"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var hint = _connection.Token is null
                ? $"no token was sent: put the service's API token in a file passed with --token-file, or in {_connection.TokenSource}"
                : $"check that {_connection.TokenSource} holds the service's API token";
            throw new ServiceCallException($"the server refused the token ({status} from {_connection.Url}): {hint}");
        }

        var detail = Detail(response, text);
        if (detail is null)
        {
            throw new ServiceCallException(
                $"the service at {_connection.Url} answered {status} to {endpoint} without Homeostat's JSON; is --server (or server.url) the Homeostat service, and as new as this command?");
        }

        var code = (int)response.StatusCode;
        return code switch
        {
            >= 200 and < 300 => new OperatorResult(true, detail),
            >= 400 and < 500 => new OperatorResult(false, detail),
            _ => throw new ServiceCallException($"the service at {_connection.Url} failed: {status}: {detail}"),
        };
    }

    /// <summary>The <c>detail</c> sentence of a JSON or problem+json answer, cleaned for a terminal; null when there is none.</summary>
    private static string? Detail(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType is not ("application/json" or "application/problem+json"))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("detail", out var detail)
                && detail.ValueKind == JsonValueKind.String
                ? Printable(detail.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Body(params (string Name, string? Value)[] fields)
    {
        var body = new JsonObject();
        foreach (var (name, value) in fields.Where(f => f.Value is not null))
        {
            body[name] = value;
        }

        return body.ToJsonString();
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string OneLine(string text) => Printable(text.ReplaceLineEndings(" "));

    /// <summary>What the service says reaches a terminal: control and bidirectional characters are shown, not obeyed.</summary>
    private static string Printable(string text) => TerminalText.Escape(text, 2000);
}

/// <summary>The service could not be asked, or did not answer as Homeostat does. The message is one line for the user.</summary>
internal sealed class ServiceCallException(string message) : Exception(message);

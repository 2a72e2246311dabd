using System.Net;
using System.Text;
using System.Text.Json;

namespace Homeostat.TestKit;

/// <summary>
/// What the stub answers: a status and a body, after <see cref="Delay"/> if set, or (with <see cref="Hold"/>) nothing
/// until the test ends. A delay is cancelled when the server is disposed.
/// </summary>
public sealed record StubResponse(int Status, string Body, bool Hold = false, TimeSpan Delay = default)
{
    public string ContentType { get; init; } = "application/json";

    public static StubResponse Json(string body) => new(200, body);
}

/// <summary>
/// A loopback HTTP server whose answer the test sets (<see cref="Respond"/>, or a queue of scripted answers with
/// <see cref="Enqueue"/>), recording every request it gets with its headers and body. For clients of Prometheus- and
/// Alertmanager-style APIs, webhook receivers and model endpoints.
/// </summary>
public sealed class StubHttpServer : IDisposable
{
    private const int StartAttempts = 5;

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpRequestRecord> _requests = [];
    private readonly Queue<StubResponse> _scripted = new();
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="path">The path the server answers under (others get the listener's 404); it starts and ends with '/'.</param>
    public StubHttpServer(string path = "/")
    {
        (_listener, Url) = Start(path);
        _ = ServeAsync();
    }

    /// <summary>The server's base address, <c>http://127.0.0.1:port</c> without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>
    /// Decides the answer to each request no scripted answer is queued for; by default 200 with an empty JSON object.
    /// Called once per request, after it is recorded in <see cref="Requests"/>.
    /// </summary>
    public Func<HttpRequestRecord, StubResponse> Respond { get; set; } = _ => StubResponse.Json("{}");

    public IReadOnlyList<HttpRequestRecord> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>Completes once a request is being held without an answer (<see cref="StubResponse.Hold"/>).</summary>
    public Task Holding => _holding.Task;

    /// <summary>Queues the answer to the next request not yet answered by an earlier queued one; ahead of <see cref="Respond"/>.</summary>
    public void Enqueue(StubResponse response)
    {
        lock (_requests)
        {
            _scripted.Enqueue(response);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _release.TrySetResult();
        _listener.Close();
        _stop.Dispose();
    }

    /// <summary>
    /// HttpListener cannot bind port 0, so take a free port and try again with a fresh one if another process took it
    /// between the look-up and the bind.
    /// </summary>
    private static (HttpListener Listener, string Url) Start(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
            var listener = new HttpListener();
            listener.Prefixes.Add(url + path);
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < StartAttempts)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var request = await RecordAsync(context.Request);
            StubResponse? response;
            lock (_requests)
            {
                _requests.Add(request);
                _scripted.TryDequeue(out response);
            }

            response ??= Respond(request);
            if (response.Hold)
            {
                _holding.TrySetResult();
                await _release.Task;
            }

            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, _stop.Token);
            }

            var body = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client gave up (a timeout test) or the test ended.
        }
    }

    private static async Task<HttpRequestRecord> RecordAsync(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        return new HttpRequestRecord(
            request.HttpMethod,
            request.Url!.AbsolutePath,
            request.Url.Query,
            request.QueryString.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => (IReadOnlyList<string>)(request.QueryString.GetValues(k) ?? []), StringComparer.Ordinal),
            request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase),
            bytes,
            Encoding.UTF8.GetString(bytes))
        {
            RawUrl = request.RawUrl ?? string.Empty,
        };
    }
}

/// <summary>A request the stub got: method, path, query, every header (names case-insensitive) and the body as bytes and UTF-8 text.</summary>
public sealed record HttpRequestRecord(
    string Method,
    string Path,
    string RawQuery,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Bytes,
    string Body)
{
    /// <summary>The request target as sent: path and query.</summary>
    public string RawUrl { get; init; } = string.Empty;

    public string? Authorization => Header("Authorization");

    /// <summary>The body parsed as JSON (a method, so that printing the record does not parse a body that is not JSON).</summary>
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? First(string key) => Query.TryGetValue(key, out var values) && values.Count > 0 ? values[0] : null;
}

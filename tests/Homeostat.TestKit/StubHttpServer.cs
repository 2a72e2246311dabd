using System.Net;
using System.Text;

namespace Homeostat.TestKit;

/// <summary>What the stub answers: a status and a body, or (with <see cref="Hold"/>) nothing until the test ends.</summary>
public sealed record StubResponse(int Status, string Body, bool Hold = false)
{
    public static StubResponse Json(string body) => new(200, body);
}

/// <summary>
/// A loopback HTTP server whose answer the test sets (<see cref="Respond"/>), recording every request it gets. For
/// clients of Prometheus- and Alertmanager-style APIs.
/// </summary>
public sealed class StubHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpRequestRecord> _requests = [];
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StubHttpServer()
    {
        Url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }

    /// <summary>Decides the answer to each request; by default 200 with an empty JSON object.</summary>
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

    public void Dispose()
    {
        _stop.Cancel();
        _release.TrySetResult();
        _listener.Close();
        _stop.Dispose();
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
            var request = new HttpRequestRecord(
                context.Request.HttpMethod,
                context.Request.Url!.AbsolutePath,
                context.Request.Url.Query,
                context.Request.QueryString.AllKeys.Where(k => k is not null)
                    .ToDictionary(k => k!, k => (IReadOnlyList<string>)(context.Request.QueryString.GetValues(k) ?? []), StringComparer.Ordinal),
                context.Request.Headers["Authorization"]);
            lock (_requests)
            {
                _requests.Add(request);
            }

            var response = Respond(request);
            if (response.Hold)
            {
                _holding.TrySetResult();
                await _release.Task;
            }

            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            var body = Encoding.UTF8.GetBytes(response.Body);
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up (a timeout test) or the test ended.
        }
    }
}

public sealed record HttpRequestRecord(string Method, string Path, string RawQuery, IReadOnlyDictionary<string, IReadOnlyList<string>> Query, string? Authorization)
{
    public string? First(string key) => Query.TryGetValue(key, out var values) && values.Count > 0 ? values[0] : null;
}

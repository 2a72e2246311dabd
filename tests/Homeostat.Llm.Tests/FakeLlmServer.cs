using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Homeostat.TestKit;

namespace Homeostat.Llm.Tests;

/// <summary>
/// A local model endpoint on 127.0.0.1 (a <see cref="StubHttpServer"/>) that speaks OpenAI's chat-completions format
/// (<c>POST /v1/chat/completions</c>) and Ollama's chat format (<c>POST /api/chat</c>), answers from a script and records
/// every request with its headers and body.
/// </summary>
public sealed class FakeLlmServer : IDisposable
{
    private readonly StubHttpServer _server = new();
    private readonly ConcurrentQueue<ScriptedReply> _script = new();
    private readonly Channel<HttpRequestRecord> _arrivals = Channel.CreateUnbounded<HttpRequestRecord>();

    public FakeLlmServer()
    {
        _server.Respond = Answer;
    }

    public string BaseUrl => _server.Url;

    /// <summary>The OpenAI-compatible base URL: the client appends <c>/chat/completions</c>.</summary>
    public string OpenAiEndpoint => BaseUrl + "/v1";

    public IReadOnlyList<HttpRequestRecord> Requests => _server.Requests;

    /// <summary>The next request answers 200 with this text as the assistant message's content.</summary>
    public FakeLlmServer Answers(string content)
    {
        _script.Enqueue(new ScriptedReply(200, content, Hang: false));
        return this;
    }

    /// <summary>The next request answers 200 with this JSON object as the assistant message's content.</summary>
    public FakeLlmServer AnswersJson(object answer) => Answers(JsonSerializer.Serialize(answer));

    /// <summary>The next request fails with this HTTP status and an OpenAI-style error body.</summary>
    public FakeLlmServer FailsWith(int status)
    {
        _script.Enqueue(new ScriptedReply(status, null, Hang: false));
        return this;
    }

    /// <summary>The next request is held open and never answered (until the server is disposed).</summary>
    public FakeLlmServer Hangs()
    {
        _script.Enqueue(new ScriptedReply(200, null, Hang: true));
        return this;
    }

    public async Task<HttpRequestRecord> NextRequestAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _arrivals.Reader.ReadAsync(timeout.Token);
    }

    public void Dispose() => _server.Dispose();

    private StubResponse Answer(HttpRequestRecord request)
    {
        _arrivals.Writer.TryWrite(request);
        var reply = _script.TryDequeue(out var scripted) ? scripted : new ScriptedReply(500, null, Hang: false);
        if (reply.Hang)
        {
            return new StubResponse(200, string.Empty, Hold: true);
        }

        var (status, body) = request.Path switch
        {
            "/v1/chat/completions" when reply.Status == 200 => (200, OpenAiCompletion(reply.Content!)),
            "/api/chat" when reply.Status == 200 => (200, OllamaChat(reply.Content!)),
            "/v1/chat/completions" or "/api/chat" => (reply.Status, """{"error":{"message":"the model crashed","type":"server_error","code":null}}"""),
            _ => (404, """{"error":{"message":"no such route","type":"invalid_request_error"}}"""),
        };
        return new StubResponse(status, body) { ContentType = request.Path == "/api/chat" && status == 200 ? "application/x-ndjson" : "application/json" };
    }

    /// <summary>A chat completion exactly as OpenAI's API returns it (non-streaming).</summary>
    private static string OpenAiCompletion(string content) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-test-1",
        @object = "chat.completion",
        created = 1764298800,
        model = "test-model",
        choices = new[]
        {
            new { index = 0, message = new { role = "assistant", content, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" },
        },
        usage = new { prompt_tokens = 120, completion_tokens = 30, total_tokens = 150 },
        system_fingerprint = "fp_test",
    });

    /// <summary>A final chat message as Ollama's <c>/api/chat</c> returns it (a non-streaming reply is one such object).</summary>
    private static string OllamaChat(string content) => JsonSerializer.Serialize(new
    {
        model = "llama3.1:8b",
        created_at = "2026-11-28T03:00:00.000000Z",
        message = new { role = "assistant", content },
        done_reason = "stop",
        done = true,
        total_duration = 5_000_000,
        load_duration = 1_000_000,
        prompt_eval_count = 120,
        prompt_eval_duration = 2_000_000,
        eval_count = 30,
        eval_duration = 2_000_000,
    }) + "\n";

    private sealed record ScriptedReply(int Status, string? Content, bool Hang);
}

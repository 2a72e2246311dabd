using System.Text.Json;
using Homeostat.TestKit;

namespace Homeostat.Llm.Tests;

/// <summary>The <c>ollama</c> provider: OllamaSharp's client posting to a local endpoint in Ollama's <c>/api/chat</c> format.</summary>
public sealed class OllamaProviderTests : IDisposable
{
    private readonly LlmHarness _llm = LlmHarness.Ollama();

    [Fact]
    public async Task ClassifyAsync_OllamaValidReply_PostsToApiChatAndReturnsThatClass()
    {
        _llm.Server.AnswersJson(new { @class = "disk_full", confidence = 0.92, reasoning = "The filesystem has 3% space left." });
        var signal = SignalBuilder.DiskFull();

        var result = await _llm.Classifier.ClassifyAsync(signal, LlmHarness.Classes, CancellationToken.None);

        result.Class.ShouldBe("disk_full");
        result.Confidence.ShouldBe(0.92);
        var request = _llm.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/chat");
        var body = request.Json();
        body.GetProperty("model").GetString().ShouldBe("llama3.1:8b");
        body.GetProperty("stream").GetBoolean().ShouldBeFalse();
        body.GetProperty("format").GetProperty("properties").GetProperty("class").GetProperty("enum").EnumerateArray().Select(e => e.GetString())
            .ShouldBe(["cert_expiry", "connection_pool_exhausted", "dependency_timeout", "disk_full", "oom", "unknown"]);
        body.EnumerateObject().Select(p => p.Name).ShouldBeSubsetOf(["model", "messages", "format", "options", "stream", "CustomHeaders"]);
        body.GetProperty("options").GetProperty("temperature").GetDouble().ShouldBe(0);
        body.GetProperty("options").TryGetProperty("strict", out _).ShouldBeFalse();
        var user = LlmClassifierTests.Message(body, "user");
        LlmClassifierTests.DataBlock(user).GetProperty("text").GetString().ShouldBe(signal.Text);
        request.Headers["Authorization"].ShouldBe($"Bearer {LlmHarness.Key}");
        request.Body.ShouldNotContain(LlmHarness.Key);
    }

    [Fact]
    public async Task ClassifyAsync_OllamaOutOfListClass_IsUnknown()
    {
        _llm.Server.AnswersJson(new { @class = "network_partition", confidence = 0.9, reasoning = "Looks like a partition." });

        var result = await _llm.Classifier.ClassifyAsync(SignalBuilder.Unclassifiable(), LlmHarness.Classes, CancellationToken.None);

        LlmClassifierTests.ShouldBeUnknownBecause(result, "the class 'network_partition' is not in the closed list");
    }

    [Fact]
    public async Task ClassifyAsync_OllamaHttp500_IsUnknownInsteadOfThrowing()
    {
        _llm.Server.FailsWith(500);

        var result = await _llm.Classifier.ClassifyAsync(SignalBuilder.Oom(), LlmHarness.Classes, CancellationToken.None);

        result.IsUnknown.ShouldBeTrue();
        result.Confidence.ShouldBe(0);
        result.Reasoning.ShouldStartWith("the LLM's answer was not used:");
        JsonSerializer.Serialize(result).ShouldNotContain(LlmHarness.Key);
    }

    public void Dispose() => _llm.Dispose();
}

using System.Text.Json;
using Homeostat.Audit;
using Homeostat.TestKit;
using Microsoft.Extensions.Options;

namespace Homeostat.Tests.Audit;

public sealed class WebhookCheckpointSinkTests : IDisposable
{
    private readonly AuditKey _key = AuditKey.FromSecret("a secret of more than sixteen bytes"u8, "test");
    private readonly StubHttpServer _server = new("/witness/");

    [Fact]
    public async Task Publish_PostsTheSignedCheckpoint_WhichTheReceiverCanCheckWithTheKey()
    {
        var sink = Sink(_server.Url + "/witness/checkpoints?token=t0p");
        var checkpoint = AuditCheckpoint.Create(new AuditHead(42, "ab12"), DateTimeOffset.Parse("2026-12-06T03:00:00Z"), _key);

        await sink.PublishAsync(checkpoint, CancellationToken.None);

        var request = _server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        var received = JsonSerializer.Deserialize<AuditCheckpoint>(request.Body)!;
        received.Sequence.ShouldBe(42);
        received.Hash.ShouldBe("ab12");
        received.IsSignedBy(_key).ShouldBeTrue();
    }

    [Fact]
    public async Task Publish_ReceiverRefuses_FailsNamingTheUrlWithoutItsQuery()
    {
        _server.Respond = _ => new StubResponse(503, "busy");
        var sink = Sink(_server.Url + "/witness/checkpoints?token=t0p");

        var failure = await Should.ThrowAsync<HttpRequestException>(() => sink.PublishAsync(AuditCheckpoint.Create(new AuditHead(1, "ff"), DateTimeOffset.UnixEpoch, _key), CancellationToken.None));

        failure.Message.ShouldContain("/witness/checkpoints answered 503");
        failure.Message.ShouldNotContain("t0p");
    }

    [Fact]
    public async Task Publish_NoUrl_SendsNothing()
    {
        await Sink(null).PublishAsync(AuditCheckpoint.Create(new AuditHead(1, "ff"), DateTimeOffset.UnixEpoch, _key), CancellationToken.None);

        _server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ftp://witness.example/")]
    [InlineData("witness.example/checkpoints")]
    [InlineData("https://user:secret@witness.example/")]
    public void Validate_AnUnusableUrl_IsRefusedWithoutItsSecrets(string url)
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { Checkpoints = new AuditCheckpointOptions { WebhookUrl = url } });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("audit.checkpoints.webhook_url");
        result.FailureMessage.ShouldNotContain("secret");
    }

    public void Dispose() => _server.Dispose();

    private static WebhookCheckpointSink Sink(string? url) =>
        new(new PlainHttpClientFactory(), Options.Create(new AuditOptions { Checkpoints = new AuditCheckpointOptions { WebhookUrl = url } }));
}

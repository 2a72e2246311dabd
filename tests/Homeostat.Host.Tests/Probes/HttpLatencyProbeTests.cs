using System.Net;
using System.Net.Sockets;
using Homeostat.Host.Probes;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Host.Tests.Probes;

/// <summary>
/// An http_latency probe against a real HttpListener. The listener moves the fake clock forward while it answers, so
/// the measured latency (and the timeout) are exact and the tests do not wait.
/// </summary>
public sealed class HttpLatencyProbeTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly HttpListener _listener = new();
    private readonly string _url;
    private TimeSpan _answerAfter = TimeSpan.Zero;

    public HttpLatencyProbeTests()
    {
        using (var free = new TcpListener(IPAddress.Loopback, 0))
        {
            free.Start();
            _url = $"http://127.0.0.1:{((IPEndPoint)free.LocalEndpoint).Port}/health";
        }

        _listener.Prefixes.Add(_url[..(_url.LastIndexOf('/') + 1)]);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    [Fact]
    public async Task FastAnswer_IsWithinBudgetAndResolved()
    {
        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options());
        _answerAfter = TimeSpan.FromMilliseconds(150);

        var reading = await probe.MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBeFalse();
        reading.Description.ShouldBe($"GET {_url} took 0.15s, within its 2s budget");
        probe.ToSignal(reading, _time.GetUtcNow(), "h1").Status.ShouldBe(SignalStatus.Resolved);
    }

    [Fact]
    public async Task SlowAnswer_OverBudget_IsBreachedAndClassifiesAsDependencyTimeout()
    {
        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options());
        _answerAfter = TimeSpan.FromSeconds(3.2);

        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, _time.GetUtcNow(), "h2");

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldBe($"GET {_url} took 3.2s, over its 2s budget");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Title.ShouldBe("DependencyTimeout");
        signal.Label("path").ShouldBe(_url);
        signal.Label("domain").ShouldBe("127.0.0.1");
        signal.Metrics["latency_seconds"].ShouldBe(3.2);
        CertificateExpiryProbeTests.Classify(signal).ShouldBe("dependency_timeout");
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsBreachedAsTimedOut()
    {
        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options());
        _answerAfter = TimeSpan.FromSeconds(6);

        var reading = await probe.MeasureAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var signal = probe.ToSignal(reading, _time.GetUtcNow(), "h3");

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldBe($"GET {_url} timed out after 5s (upstream request timeout)");
        signal.Metrics["latency_seconds"].ShouldBe(5);
        CertificateExpiryProbeTests.Classify(signal).ShouldBe("dependency_timeout");
    }

    [Fact]
    public async Task ProbeVerifier_MeasuresAgain_NotClearedWhileSlowAndClearedOnceFast()
    {
        var set = new ProbeSet(Microsoft.Extensions.Options.Options.Create(new ProbesOptions { Items = [Options()] }), BuiltInProbeKinds.Create(_time));
        var verifier = new ProbeVerifier(set);
        _answerAfter = TimeSpan.FromSeconds(3);
        var firing = set.Find("upstream").ShouldNotBeNull().ToSignal(await set.Probes[0].MeasureAsync(CancellationToken.None), _time.GetUtcNow(), "s1");
        var incident = new Homeostat.Healing.Incident
        {
            Id = "inc-1",
            Fingerprint = "fp",
            DeliveryKey = "fp",
            Service = "checkout",
            State = Homeostat.Healing.IncidentState.Verifying,
            CreatedAt = _time.GetUtcNow(),
            UpdatedAt = _time.GetUtcNow(),
            Signal = firing,
        };
        verifier.CanVerify(incident).ShouldBeTrue();

        (await verifier.CheckAsync(incident, CancellationToken.None)).Status.ShouldBe(Homeostat.Verification.VerificationStatus.NotCleared);

        _answerAfter = TimeSpan.FromMilliseconds(20);
        var cleared = await verifier.CheckAsync(incident, CancellationToken.None);
        cleared.Status.ShouldBe(Homeostat.Verification.VerificationStatus.Cleared);
        cleared.Detail.ShouldContain("took 0.02s, within its 2s budget");
    }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                // Time passes while the upstream works; past the probe's timeout the probe gives up first.
                _time.Advance(_answerAfter);
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync("ok"u8.ToArray());
                context.Response.Close();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or IOException)
            {
                // The probe hung up.
            }
        }
    }

    private ProbeOptions Options() => new()
    {
        Name = "upstream",
        Kind = ProbeKinds.HttpLatency,
        Path = _url,
        MaxLatency = Duration.Parse("2s"),
        Timeout = Duration.Parse("5s"),
        Service = "checkout",
    };
}

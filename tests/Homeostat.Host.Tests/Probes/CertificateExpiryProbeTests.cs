using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Homeostat.Diagnosis;
using Homeostat.Host.Probes;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Host.Tests.Probes;

/// <summary>Certificate expiry probes against real PEM files and a real TLS endpoint, judged by the fake clock.</summary>
public sealed class CertificateExpiryProbeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-cert-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));

    public CertificateExpiryProbeTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task PemFile_ExpiringInThreeDays_IsBreachedAndClassifiesAsCertExpiry()
    {
        var path = WritePem("shop.example.com", TimeSpan.FromDays(3));
        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options(path));

        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, _time.GetUtcNow(), "c1");

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldContain($"certificate for shop.example.com at {path} expires at ");
        reading.Description.ShouldContain("(in 3 days), sooner than 14d");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Title.ShouldBe("CertificateExpiringSoon");
        signal.Label("probe").ShouldBe("cert");
        signal.Label("path").ShouldBe(path);
        signal.Label("domain").ShouldBe("shop.example.com");
        signal.Metrics["seconds_remaining"].ShouldBe(TimeSpan.FromDays(3).TotalSeconds);
        Classify(signal).ShouldBe("cert_expiry");
    }

    [Fact]
    public async Task PemFile_ValidForNinetyDays_IsWithinAndResolves_UntilTheClockMovesOn()
    {
        var path = WritePem("api.example.com", TimeSpan.FromDays(90));
        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options(path));

        var reading = await probe.MeasureAsync(CancellationToken.None);
        reading.Breached.ShouldBeFalse();
        probe.ToSignal(reading, _time.GetUtcNow(), "c2").Status.ShouldBe(SignalStatus.Resolved);

        _time.Advance(TimeSpan.FromDays(80));
        (await probe.MeasureAsync(CancellationToken.None)).Breached.ShouldBeTrue();

        _time.Advance(TimeSpan.FromDays(20));
        var expired = await probe.MeasureAsync(CancellationToken.None);
        expired.Breached.ShouldBeTrue();
        expired.Description.ShouldContain("expired at ");
        expired.Description.ShouldContain("(10 days ago)");
    }

    [Fact]
    public async Task TlsEndpoint_WithAShortLivedCertificate_IsBreachedWithTheHostAsDomain()
    {
        using var certificate = Create("localhost", TimeSpan.FromDays(2), exportable: true);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(client.GetStream());
            await ssl.AuthenticateAsServerAsync(certificate);
            try
            {
                // Wait until the probe closes the connection; what it sends does not matter.
                _ = await ssl.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false);
            }
            catch (IOException)
            {
                // The probe closes the connection after the handshake.
            }
        });

        var probe = BuiltInProbeKinds.Catalog(_time).Create(Options($"https://127.0.0.1:{port}", minRemaining: "7d"));
        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, _time.GetUtcNow(), "c3");
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldContain($"certificate for localhost at https://127.0.0.1:{port} expires at ");
        reading.Description.ShouldContain("(in 2 days), sooner than 7d");
        signal.Label("domain").ShouldBe("127.0.0.1");
        signal.Metrics["seconds_remaining"].ShouldBe(TimeSpan.FromDays(2).TotalSeconds);
        Classify(signal).ShouldBe("cert_expiry");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static string Classify(Signal signal) => new RuleClassifier().Classify(signal, new ClassSet(FailureClasses.Seed)).Class;

    private string WritePem(string commonName, TimeSpan lifetime)
    {
        using var certificate = Create(commonName, lifetime, exportable: false);
        var path = Path.Combine(_directory, commonName + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private X509Certificate2 Create(string commonName, TimeSpan lifetime, bool exportable)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var now = _time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now + lifetime);
        // A server certificate needs its key in a form SslStream can use on every platform.
        return exportable ? X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null) : X509CertificateLoader.LoadCertificate(created.RawData);
    }

    private static ProbeOptions Options(string path, string minRemaining = "14d") => new()
    {
        Name = "cert",
        Kind = ProbeKinds.CertificateExpiry,
        Path = path,
        MinRemaining = Duration.Parse(minRemaining),
        Service = "shop",
    };
}

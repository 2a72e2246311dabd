using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Homeostat.Catalog;
using Homeostat.Host.Actions.Certificates;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Host.Tests.Actions.Certificates;

/// <summary>Host certificate renewal end to end: lego against Pebble, a real ACME CA, on 127.0.0.1.</summary>
public sealed class HostCertificateRenewalActionTests(PebbleFixture pebble) : IClassFixture<PebbleFixture>, IDisposable
{
    private const string Domain = "shop.homeostat.test";
    private readonly string _state = Path.Combine(Path.GetTempPath(), "homeostat-lego-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ExecuteAsync_ExpiringCertificate_IsRenewedByTheCaAndTheNewExpiryChecked()
    {
        var expiring = PlantCertificate(TimeSpan.FromSeconds(30));
        var action = CreateSut();

        var preview = await action.PreviewAsync(Request("5m"), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request("5m"), CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Changes[0].ShouldContain("--domains shop.homeostat.test");
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        using var renewed = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CertificateFile()));
        renewed.NotAfter.ToUniversalTime().ShouldBeGreaterThan(expiring.AddMinutes(5));
        renewed.Issuer.ShouldContain("Pebble");
        renewed.GetNameInfo(X509NameType.DnsName, forIssuer: false).ShouldBe(Domain);

        outcome.Premise.ShouldNotBeNull().Observed.ShouldContain("within min_remaining 5m");

        // Run again: the new certificate is valid long enough, so the premise no longer holds and nothing runs.
        var again = await action.ExecuteAsync(Request("5m"), CancellationToken.None);
        again.Status.ShouldBe(ActionStatus.PremiseNotMet, again.Summary);
    }

    [Fact]
    public async Task Premise_CertificateValidForLongerThanMinRemaining_IsNotMetAndTheClientNeverRuns()
    {
        var notAfter = PlantCertificate(TimeSpan.FromDays(60));
        var planted = await File.ReadAllTextAsync(CertificateFile());
        var action = CreateSut();

        var preview = await action.PreviewAsync(Request("30d"), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request("30d"), CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotMet);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Summary.ShouldContain($"valid until {notAfter:yyyy-MM-dd HH:mm:ss}Z, more than min_remaining 30d from now");
        (await File.ReadAllTextAsync(CertificateFile())).ShouldBe(planted);
        Directory.Exists(Path.Combine(_state, "accounts")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_RenewedCertificateShorterThanRequired_FailsTheCheck()
    {
        PlantCertificate(TimeSpan.FromSeconds(30));

        var outcome = await CreateSut().ExecuteAsync(Request("1h"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("sooner than min_remaining");
    }

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("shop.homeostat.test; rm -rf /")]
    [InlineData("../../etc/passwd")]
    [InlineData("--server=https://attacker.example/dir")]
    public async Task ExecuteAsync_DomainNotAllowedOrHostile_IsNotApplicableAndNothingRuns(string domain)
    {
        var outcome = await CreateSut().ExecuteAsync(Request("5m", domain), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: refused: ");
        Directory.Exists(Path.Combine(_state, "accounts")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_KubernetesCertificate_SaysItNeedsTheKubernetesAdapter()
    {
        var signal = Signal(Domain) with { Resource = new SignalResource { Kind = "Certificate", Namespace = "shop", Name = "shop-tls" } };

        var outcome = await CreateSut().ExecuteAsync(new ActionRequest("inc", signal, Spec("5m")), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cert-manager");
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private HostCertificateRenewalAction CreateSut() => new(
        new StaticOptionsMonitor<HostCertificateOptions>(new HostCertificateOptions
        {
            Client = "lego",
            Server = pebble.Directory,
            Email = "ops@homeostat.test",
            StatePath = _state,
            HttpChallengeAddress = pebble.ChallengeAddress,
            CaCertificatesFile = pebble.ListenerCertificate,
            AllowedDomains = ["*.homeostat.test"],
            Timeout = Homeostat.Primitives.Duration.Parse("2m"),
        }),
        TimeProvider.System);

    private DateTime PlantCertificate(TimeSpan validFor)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Domain}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-80), DateTimeOffset.UtcNow.Add(validFor));
        Directory.CreateDirectory(Path.GetDirectoryName(CertificateFile())!);
        File.WriteAllText(CertificateFile(), certificate.ExportCertificatePem());
        return certificate.NotAfter.ToUniversalTime();
    }

    private string CertificateFile() => Path.Combine(_state, "certificates", Domain + ".crt");

    private static ActionRequest Request(string minRemaining, string domain = Domain) => new("inc-1", Signal(domain), Spec(minRemaining));

    private static Signal Signal(string domain) => new()
    {
        Id = "s1",
        Source = SignalSources.Probe,
        Title = "CertificateExpiringSoon",
        Labels = new Dictionary<string, string> { ["domain"] = domain },
    };

    private static RemediationSpec Spec(string minRemaining)
    {
        var loader = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders()));
        var loaded = loader.Load($$"""
            remediations:
              cert_expiry:
                action: trigger_cert_renewal
                confidence_floor: 0.9
                auto: true
                params: { min_remaining: {{minRemaining}}, timeout: 2m }
            """, "test.yaml");
        loaded.Errors.ShouldBeEmpty();
        return loaded.Catalog!.Find("cert_expiry")!;
    }
}

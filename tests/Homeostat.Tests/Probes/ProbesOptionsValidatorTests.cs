using Homeostat.Configuration;
using Homeostat.Host.Probes;
using Homeostat.Primitives;
using Homeostat.Probes;

namespace Homeostat.Tests.Probes;

public sealed class ProbesOptionsValidatorTests
{
    [Fact]
    public void NewKinds_WellFormed_Pass()
    {
        var result = Validate(
            new ProbeOptions { Name = "cert-file", Kind = ProbeKinds.CertificateExpiry, Path = "/etc/ssl/shop.pem", Service = "shop" },
            new ProbeOptions { Name = "cert-tls", Kind = ProbeKinds.CertificateExpiry, Path = "https://shop.example.com:443", Service = "shop" },
            new ProbeOptions { Name = "latency", Kind = ProbeKinds.HttpLatency, Path = "http://payments:8080/health", Service = "shop" },
            new ProbeOptions { Name = "logs", Kind = ProbeKinds.DirectorySize, Path = "/var/log/shop", MaxBytes = ByteSize.Parse("1Gi"), Service = "shop" });

        result.Failed.ShouldBeFalse(result.FailureMessage);
    }

    [Fact]
    public void MissingOrMalformedFields_AreEachReported()
    {
        var result = Validate(
            new ProbeOptions { Name = "no-path", Kind = ProbeKinds.HttpLatency, Service = "shop" },
            new ProbeOptions { Name = "file-url", Kind = ProbeKinds.HttpLatency, Path = "/var/run/health", Service = "shop" },
            new ProbeOptions { Name = "relative-cert", Kind = ProbeKinds.CertificateExpiry, Path = "certs/shop.pem", Service = "shop" },
            new ProbeOptions { Name = "plain-http-cert", Kind = ProbeKinds.CertificateExpiry, Path = "http://shop:80", Service = "shop" },
            new ProbeOptions { Name = "zero-margin", Kind = ProbeKinds.CertificateExpiry, Path = "/etc/ssl/a.pem", MinRemaining = Duration.Zero, Service = "shop" },
            new ProbeOptions { Name = "budget-over-timeout", Kind = ProbeKinds.HttpLatency, Path = "https://a.example", MaxLatency = Duration.Parse("10s"), Service = "shop" },
            new ProbeOptions { Name = "no-service", Kind = ProbeKinds.HttpLatency, Path = "https://a.example" },
            new ProbeOptions { Name = "url-dir", Kind = ProbeKinds.DirectorySize, Path = "https://a.example", MaxBytes = ByteSize.Parse("1Gi"), Service = "shop" });

        result.Failed.ShouldBeTrue();
        var failures = result.Failures!.ToList();
        failures.ShouldContain(f => f.StartsWith("probes[0] (no-path): path", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[1] (file-url): an http_latency probe needs path to be an absolute http(s) URL", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[2] (relative-cert): a certificate_expiry probe needs path", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[3] (plain-http-cert): a certificate_expiry probe reads https://", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[4] (zero-margin): a certificate_expiry probe needs min_remaining", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[5] (budget-over-timeout): max_latency (10s) must not be longer than timeout (5s)", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[6] (no-service): service", StringComparison.Ordinal));
        failures.ShouldContain(f => f.StartsWith("probes[7] (url-dir): path 'https://a.example' must be absolute", StringComparison.Ordinal));
        failures.Count.ShouldBe(8, result.FailureMessage);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(params ProbeOptions[] probes) =>
        new ProbesOptionsValidator(BuiltInProbeKinds.Create(TimeProvider.System)).Validate(null, new ProbesOptions { Items = [.. probes] });
}

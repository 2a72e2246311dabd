using Homeostat.Host.Actions.Certificates;
using Homeostat.TestKit;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Homeostat.Host.Tests.Actions.Certificates;

/// <summary>
/// A real ACME test CA on loopback: Pebble (Debian package <c>pebble</c>) with pebble-challtestsrv answering DNS with
/// 127.0.0.1, so HTTP-01 validation really happens against the client on <see cref="ChallengeAddress"/>. It issues 10-minute
/// certificates. Every port is a free one, so two test runs on one machine do not meet each other's CA.
/// </summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    public const int ValiditySeconds = 600;

    private readonly int _acmePort = LoopbackPorts.Free();
    private readonly int _managementPort = LoopbackPorts.Free();
    private readonly int _challengePort = LoopbackPorts.Free();
    private readonly int _tlsChallengePort = LoopbackPorts.Free();
    private readonly int _dnsPort = LoopbackPorts.Free();
    private readonly int _dnsManagementPort = LoopbackPorts.Free();

    public string Directory => $"https://127.0.0.1:{_acmePort}/dir";

    public string ChallengeAddress => $"127.0.0.1:{_challengePort}";

    private readonly List<Process> _processes = [];

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "homeostat-pebble-" + Guid.NewGuid().ToString("N"));

    public string ListenerCertificate => Path.Combine(WorkDirectory, "pebble-cert.pem");

    public async Task InitializeAsync()
    {
        foreach (var binary in new[] { "/usr/bin/pebble", "/usr/bin/pebble-challtestsrv", "/usr/bin/lego" })
        {
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException($"{binary} is missing: scripts/test.sh installs pebble and lego (apt-get install pebble lego)");
            }
        }

        System.IO.Directory.CreateDirectory(WorkDirectory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        await File.WriteAllTextAsync(ListenerCertificate, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "pebble-key.pem"), key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "pebble-config.json"), $$"""
            { "pebble": {
                "listenAddress": "127.0.0.1:{{_acmePort}}",
                "managementListenAddress": "127.0.0.1:{{_managementPort}}",
                "certificate": "{{ListenerCertificate}}",
                "privateKey": "{{Path.Combine(WorkDirectory, "pebble-key.pem")}}",
                "httpPort": {{_challengePort}}, "tlsPort": {{_tlsChallengePort}},
                "ocspResponderURL": "", "externalAccountBindingRequired": false,
                "certificateValidityPeriod": {{ValiditySeconds}} } }
            """);

        Start("/usr/bin/pebble-challtestsrv", ["-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", $"127.0.0.1:{_dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"127.0.0.1:{_dnsManagementPort}"]);
        Start("/usr/bin/pebble", ["-config", Path.Combine(WorkDirectory, "pebble-config.json"), "-dnsserver", $"127.0.0.1:{_dnsPort}"], new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = "0",
        });

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, errors) => errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateChainErrors };
        using var client = new HttpClient(handler);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(Directory);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("Pebble did not answer on " + Directory);
    }

    public Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private void Start(string path, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = WorkDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Homeostat.Primitives;
using Homeostat.Remediation.Certificates;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Host.Actions.Certificates;

/// <summary>
/// <c>trigger_cert_renewal</c>. The target decides how: a Kubernetes Certificate (cert-manager) needs the Kubernetes
/// adapter; a host certificate is renewed by running the configured ACME client (lego or certbot) for one allowlisted
/// domain, with arguments as a list (never a shell), and the new certificate's expiry is checked afterwards.
/// A certificate that is already valid for longer than <c>min_remaining</c> is left alone (no_change).
/// </summary>
public sealed class HostCertificateRenewalAction(IOptionsMonitor<HostCertificateOptions> options, TimeProvider timeProvider, IEnumerable<ICertManagerRenewal> certManager) : IRemediationAction
{
    private readonly ICertManagerRenewal? _certManager = certManager.LastOrDefault();

    public HostCertificateRenewalAction(IOptionsMonitor<HostCertificateOptions> options, TimeProvider timeProvider)
        : this(options, timeProvider, [])
    {
    }

    private static readonly string[] DomainLabels = ["domain", "cn", "common_name", "server_name", "certificate", "host"];

    public ActionDescriptor Descriptor => KnownActions.TriggerCertRenewal with { UnavailableReason = null };

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (IsKubernetesCertificate(request.Signal) && _certManager is not null)
        {
            return _certManager.PreviewAsync(request, cancellationToken);
        }

        if (!TryTarget(request, out var target, out var problem))
        {
            return Task.FromResult(ActionPreview.Refused(problem));
        }

        var current = CurrentExpiry(target);
        var minimum = request.Parameters.Duration("min_remaining") ?? Duration.Parse("24h");
        var now = timeProvider.GetUtcNow();
        if (current is { } notAfter && notAfter - now >= minimum.Value)
        {
            return Task.FromResult(new ActionPreview(true, $"nothing to do: the certificate for {target.Domain} is valid until {Format(notAfter)}, more than {minimum} from now", []));
        }

        var arguments = Arguments(target);
        return Task.FromResult(new ActionPreview(
            true,
            $"would renew the certificate for {target.Domain} ({(current is { } expiry ? "expires " + Format(expiry) : "none found")}) with {target.Client}",
            [$"run {target.ClientPath} {string.Join(' ', arguments)}", $"check that {CertificateFile(target)} is valid for at least {minimum}"]));
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (IsKubernetesCertificate(request.Signal) && _certManager is not null)
        {
            return await _certManager.ExecuteAsync(request, cancellationToken);
        }

        if (!TryTarget(request, out var target, out var problem))
        {
            return ActionOutcome.Failed(problem);
        }

        var minimum = request.Parameters.Duration("min_remaining") ?? Duration.Parse("24h");
        var before = CurrentExpiry(target);
        if (before is { } valid && valid - timeProvider.GetUtcNow() >= minimum.Value)
        {
            return new ActionOutcome(ActionStatus.NoChange, $"the certificate for {target.Domain} is valid until {Format(valid)}; not renewed", []);
        }

        var timeout = request.Parameters.Duration("timeout")?.Value ?? options.CurrentValue.Timeout.Value;
        var run = await RunClientAsync(target, Arguments(target), timeout, cancellationToken);
        if (run.Problem is not null)
        {
            return ActionOutcome.Failed(run.Problem);
        }

        var after = CurrentExpiry(target);
        var now = timeProvider.GetUtcNow();
        if (after is not { } renewed || (before is { } old && renewed <= old))
        {
            return ActionOutcome.Failed($"{target.Client} finished but {CertificateFile(target)} was not replaced by a newer certificate");
        }

        if (renewed - now < minimum.Value)
        {
            return new ActionOutcome(ActionStatus.Failed, $"the renewed certificate for {target.Domain} expires {Format(renewed)}, sooner than min_remaining {minimum}", [$"renewed {target.Domain}"]);
        }

        return new ActionOutcome(
            ActionStatus.Succeeded,
            $"renewed the certificate for {target.Domain}: now valid until {Format(renewed)} (was {(before is { } b ? Format(b) : "missing")})",
            [$"{target.Client} issued a new certificate for {target.Domain}", $"{CertificateFile(target)} valid until {Format(renewed)}"]);
    }

    private bool TryTarget(ActionRequest request, out Target target, out string problem)
    {
        target = default;
        var signal = request.Signal;
        if (IsKubernetesCertificate(signal))
        {
            problem = "this is a cert-manager Certificate; renewing it needs the Kubernetes adapter, which is not enabled (kubernetes.enabled: true)";
            return false;
        }

        var settings = options.CurrentValue;
        if (string.IsNullOrEmpty(settings.Server) || string.IsNullOrEmpty(settings.StatePath) || settings.AllowedDomains.Count == 0)
        {
            problem = "host certificate renewal is not configured (actions.trigger_cert_renewal needs server, state_path and allowed_domains)";
            return false;
        }

        var domain = DomainLabels.Select(signal.Label).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? signal.Resource?.Host;
        if (domain is null)
        {
            problem = "the signal names no certificate domain (labels domain, cn, common_name, server_name, certificate or host)";
            return false;
        }

        domain = StripPort(domain.Trim().ToLowerInvariant());
        if (!DnsNames.IsValid(domain))
        {
            problem = $"refused: '{Sanitize(domain)}' is not a valid DNS name";
            return false;
        }

        if (!settings.AllowedDomains.Any(allowed => Matches(domain, allowed)))
        {
            problem = $"refused: {domain} is not in actions.trigger_cert_renewal.allowed_domains";
            return false;
        }

        var client = settings.Client.ToLowerInvariant();
        if (client is not ("lego" or "certbot"))
        {
            problem = $"unknown ACME client '{settings.Client}'; use lego or certbot";
            return false;
        }

        var path = settings.ClientPath ?? $"/usr/bin/{client}";
        if (!File.Exists(path))
        {
            problem = $"the ACME client {path} is not installed";
            return false;
        }

        target = new Target(domain, client, path, settings);
        problem = string.Empty;
        return true;
    }

    private static IReadOnlyList<string> Arguments(Target target)
    {
        var settings = target.Settings;
        return target.Client == "lego"
            ?
            [
                "--server", settings.Server!, "--accept-tos", "--email", settings.Email ?? $"hostmaster@{target.Domain}",
                "--domains", target.Domain, "--http", "--http.port", settings.HttpChallengeAddress, "--path", settings.StatePath!, "run",
            ]
            :
            [
                "certonly", "--standalone", "--non-interactive", "--agree-tos", "-m", settings.Email ?? $"hostmaster@{target.Domain}",
                "--server", settings.Server!, "-d", target.Domain, "--force-renewal",
                "--http-01-address", Host(settings.HttpChallengeAddress), "--http-01-port", Port(settings.HttpChallengeAddress),
                "--config-dir", settings.StatePath!, "--work-dir", Path.Combine(settings.StatePath!, "work"), "--logs-dir", Path.Combine(settings.StatePath!, "logs"),
            ];
    }

    private async Task<(string? Problem, string Output)> RunClientAsync(Target target, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(target.ClientPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory.Exists(target.Settings.StatePath) ? target.Settings.StatePath! : Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (target.Settings.CaCertificatesFile is { } bundle)
        {
            start.Environment["LEGO_CA_CERTIFICATES"] = bundle;
            start.Environment["REQUESTS_CA_BUNDLE"] = bundle;
        }

        Directory.CreateDirectory(target.Settings.StatePath!);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return ($"{target.Client} did not finish within {new Duration(timeout)} and was stopped", Tail(output));
        }

        return process.ExitCode == 0
            ? (null, Tail(output))
            : ($"{target.Client} exited with code {process.ExitCode}: {Tail(output)}", Tail(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 16 * 1024)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Tail(StringBuilder output)
    {
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        text = Sanitize(text.Length > 600 ? text[^600..] : text);
        return text.Trim();
    }

    private static DateTimeOffset? CurrentExpiry(Target target)
    {
        var file = CertificateFile(target);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            // The leaf certificate comes first in the file the client writes.
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
            return new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
        {
            return null;
        }
    }

    private static string CertificateFile(Target target) => target.Client == "lego"
        ? Path.Combine(target.Settings.StatePath!, "certificates", target.Domain + ".crt")
        : Path.Combine(target.Settings.StatePath!, "live", target.Domain, "cert.pem");

    public static bool IsKubernetesCertificate(Signal signal) =>
        string.Equals(signal.Resource?.Kind, "Certificate", StringComparison.OrdinalIgnoreCase)
        || signal.Label("certificate") is not null && signal.Label("namespace") is not null;

    private static bool Matches(string domain, string allowed)
    {
        var pattern = allowed.Trim().ToLowerInvariant();
        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? domain.EndsWith(pattern[1..], StringComparison.Ordinal) && domain.Length > pattern.Length - 1
            : domain == pattern;
    }

    private static string StripPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && value[(colon + 1)..].All(char.IsAsciiDigit) ? value[..colon] : value;
    }

    private static string Host(string address) => address.LastIndexOf(':') is var i and > 0 ? address[..i] : string.Empty;

    private static string Port(string address) => address.LastIndexOf(':') is var i and >= 0 ? address[(i + 1)..] : address;

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Sanitize(string text) => new(text.Select(c => char.IsControl(c) && c is not '\n' ? ' ' : c).ToArray());

    private readonly record struct Target(string Domain, string Client, string ClientPath, HostCertificateOptions Settings);
}

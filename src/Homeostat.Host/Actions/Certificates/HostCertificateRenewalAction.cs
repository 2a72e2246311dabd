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
/// Its premise: the certificate expires within <c>min_remaining</c>. One valid for longer is left alone and reported
/// as <c>premise_not_met</c> (checked in the preview and again just before the client runs).
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

        if (!TryTarget(request, out var target, out var problem, out var inapplicable))
        {
            return Task.FromResult(inapplicable ? ActionPreview.NotApplicable(problem) : ActionPreview.Refused(problem));
        }

        var premise = Premise(target, request);
        if (premise.Verdict == PremiseVerdict.NotMet)
        {
            return Task.FromResult(ActionPreview.PremiseNotMet(premise.Observed));
        }

        var minimum = MinRemaining(request);
        var arguments = Arguments(target);
        return Task.FromResult(new ActionPreview(
            true,
            $"would renew the certificate for {target.Domain} ({premise.Observed}) with {target.Client}",
            [$"run {target.ClientPath} {string.Join(' ', arguments)}", $"check that {CertificateFile(target)} is valid for at least {minimum}"])
        {
            Premise = premise,
        });
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (IsKubernetesCertificate(request.Signal) && _certManager is not null)
        {
            return await _certManager.ExecuteAsync(request, cancellationToken);
        }

        if (!TryTarget(request, out var target, out var problem, out var inapplicable))
        {
            return inapplicable ? ActionOutcome.NotApplicable(problem) : ActionOutcome.Failed(problem);
        }

        // Checked again just before the client runs: the certificate may have been renewed since the preview.
        var premise = Premise(target, request);
        if (premise.Verdict == PremiseVerdict.NotMet)
        {
            return ActionOutcome.PremiseNotMet(premise.Observed);
        }

        var minimum = MinRemaining(request);
        var before = CurrentExpiry(target);
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
            return ActionOutcome.Failed($"{target.Client} finished but {CertificateFile(target)} was not replaced by a newer certificate") with { Premise = premise };
        }

        if (renewed - now < minimum.Value)
        {
            return new ActionOutcome(ActionStatus.Failed, $"the renewed certificate for {target.Domain} expires {Format(renewed)}, sooner than min_remaining {minimum}", [$"renewed {target.Domain}"]) { Premise = premise };
        }

        return new ActionOutcome(
            ActionStatus.Succeeded,
            $"renewed the certificate for {target.Domain}: now valid until {Format(renewed)} (was {(before is { } b ? Format(b) : "missing")})",
            [$"{target.Client} issued a new certificate for {target.Domain}", $"{CertificateFile(target)} valid until {Format(renewed)}"])
        {
            Premise = premise,
        };
    }

    private static Duration MinRemaining(ActionRequest request) => request.Parameters.Duration("min_remaining") ?? Duration.Parse("30d");

    /// <summary>The premise: the certificate expires within min_remaining. A missing certificate holds it (there is none to keep).</summary>
    private PremiseObservation Premise(Target target, ActionRequest request)
    {
        var minimum = MinRemaining(request);
        var file = CertificateFile(target);
        if (CurrentExpiry(target) is not { } notAfter)
        {
            return new PremiseObservation(PremiseVerdict.Holds, $"no readable certificate for {target.Domain} at {file}");
        }

        return notAfter - timeProvider.GetUtcNow() >= minimum.Value
            ? new PremiseObservation(PremiseVerdict.NotMet, $"the certificate for {target.Domain} at {file} is valid until {Format(notAfter)}, more than min_remaining {minimum} from now")
            : new PremiseObservation(PremiseVerdict.Holds, $"the certificate for {target.Domain} at {file} expires {Format(notAfter)}, within min_remaining {minimum}");
    }

    /// <param name="inapplicable">True when the signal's target is nothing this action may renew (no domain, not allowlisted).</param>
    private bool TryTarget(ActionRequest request, out Target target, out string problem, out bool inapplicable)
    {
        target = default;
        inapplicable = false;
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
        inapplicable = true;
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

        inapplicable = false;

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

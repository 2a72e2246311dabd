using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;

namespace Homeostat.Host.Probes;

/// <summary>
/// The remaining lifetime of a certificate: a PEM file on this host or the certificate an <c>https://host:port</c>
/// endpoint presents. Any certificate is accepted for reading it: an expired or untrusted one is exactly what to report.
/// </summary>
public sealed class CertificateExpiryProbe(ProbeOptions options, TimeProvider timeProvider) : IProbe
{
    public ProbeOptions Options { get; } = options;

    private bool IsEndpoint => Uri.TryCreate(Options.Path, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    public async Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        using var certificate = IsEndpoint
            ? await ReadRemoteAsync(new Uri(Options.Path), cancellationToken)
            : X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Options.Path, cancellationToken));
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var remaining = notAfter - timeProvider.GetUtcNow();
        var minimum = Options.MinRemaining.Value;
        var breached = remaining < minimum;
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var domain = IsEndpoint ? new Uri(Options.Path).Host : string.IsNullOrEmpty(commonName) ? certificate.Subject : commonName;
        var subject = string.IsNullOrEmpty(commonName) ? certificate.Subject : commonName;
        var when = remaining >= TimeSpan.Zero ? $"expires at {notAfter:yyyy-MM-dd HH:mm:ss}Z (in {Humanize(remaining)})" : $"expired at {notAfter:yyyy-MM-dd HH:mm:ss}Z ({Humanize(-remaining)} ago)";
        var description = string.Create(CultureInfo.InvariantCulture,
            $"certificate for {subject} at {Options.Path} {when}, {(breached ? "sooner than" : "later than")} {Options.MinRemaining}");
        return new ProbeReading(breached, Math.Round(remaining.TotalSeconds), minimum.TotalSeconds, description)
        {
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["domain"] = domain },
        };
    }

    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id)
    {
        var domain = reading.Labels.TryGetValue("domain", out var d) ? d : Options.Path;
        return ProbeSignals.Create(
            Options,
            reading,
            since,
            id,
            "CertificateExpiringSoon",
            IsEndpoint
                ? new SignalResource { Kind = "Certificate", Name = domain, Host = new Uri(Options.Path).Host }
                : new SignalResource { Kind = "Certificate", Name = domain, Path = Options.Path, Host = Environment.MachineName },
            [ProbeSignals.Label("path", Options.Path), ProbeSignals.Label("domain", domain)],
            new Dictionary<string, double>
            {
                ["seconds_remaining"] = reading.Value,
                ["min_remaining_seconds"] = reading.Limit,
            });
    }

    private async Task<X509Certificate2> ReadRemoteAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout.Value, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, linked.Token);
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = uri.Host,
            // Only the certificate's dates are read; nothing is sent over this connection.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, linked.Token);
        var remote = ssl.RemoteCertificate ?? throw new InvalidOperationException($"{uri} presented no certificate");
        return X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
    }

    internal static string Humanize(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{(int)span.TotalDays} days",
        { TotalHours: >= 2 } => $"{(int)span.TotalHours} hours",
        { TotalMinutes: >= 2 } => $"{(int)span.TotalMinutes} minutes",
        _ => $"{(int)span.TotalSeconds} seconds",
    };
}

/// <summary>How long a GET of an http(s) URL takes, up to its timeout. Measured with the injected clock.</summary>
public sealed class HttpLatencyProbe(ProbeOptions options, TimeProvider timeProvider) : IProbe
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public ProbeOptions Options { get; } = options;

    public async Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var budget = Options.MaxLatency.Value;
        using var timeout = new CancellationTokenSource(Options.Timeout.Value, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = timeProvider.GetTimestamp();
        try
        {
            using var response = await Client.GetAsync(Options.Path, HttpCompletionOption.ResponseContentRead, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var description = $"GET {Options.Path} timed out after {Options.Timeout} (upstream request timeout)";
            return new ProbeReading(true, Options.Timeout.Value.TotalSeconds, budget.TotalSeconds, description);
        }

        var elapsed = timeProvider.GetElapsedTime(started);
        var breached = elapsed > budget;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"GET {Options.Path} took {elapsed.TotalSeconds:0.0##}s, {(breached ? "over" : "within")} its {Options.MaxLatency} budget");
        return new ProbeReading(breached, Math.Round(elapsed.TotalSeconds, 3), budget.TotalSeconds, text);
    }

    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id)
    {
        var host = new Uri(Options.Path).Host;
        return ProbeSignals.Create(
            Options,
            reading,
            since,
            id,
            "DependencyTimeout",
            new SignalResource { Kind = "Endpoint", Name = Options.Path, Host = host },
            [ProbeSignals.Label("path", Options.Path), ProbeSignals.Label("domain", host)],
            new Dictionary<string, double>
            {
                ["latency_seconds"] = reading.Value,
                ["max_latency_seconds"] = reading.Limit,
            });
    }
}

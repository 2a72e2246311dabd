using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;
using Homeostat.Remediation.Certificates;
using Homeostat.Remediation;

namespace Homeostat.Host.Actions.Certificates;

/// <summary>How <c>trigger_cert_renewal</c> renews certificates on hosts: an ACME client run for one allowlisted domain.</summary>
public sealed class HostCertificateOptions
{
    public const string Section = "Actions:TriggerCertRenewal";

    /// <summary>The ACME client: <c>lego</c> (the default) or <c>certbot</c>.</summary>
    public string Client { get; set; } = "lego";

    /// <summary>The client's executable. Defaults to /usr/bin/lego or /usr/bin/certbot.</summary>
    public string? ClientPath { get; set; }

    /// <summary>The ACME directory URL (Let's Encrypt, an internal CA, or Pebble in tests).</summary>
    [Url]
    public string? Server { get; set; }

    public string? Email { get; set; }

    /// <summary>Where the client keeps its account and certificates (lego <c>--path</c>, certbot <c>--config-dir</c>).</summary>
    public string? StatePath { get; set; }

    /// <summary>The address the client answers HTTP-01 challenges on, such as 127.0.0.1:5002 or :80.</summary>
    public string HttpChallengeAddress { get; set; } = ":80";

    /// <summary>A PEM bundle of extra CA roots for talking to the ACME server (an internal CA, Pebble).</summary>
    public string? CaCertificatesFile { get; set; }

    /// <summary>Domains this action may renew: exact names, or <c>*.example.com</c> for names under a domain.</summary>
    public List<string> AllowedDomains { get; set; } = [];

    public Duration Timeout { get; set; } = Duration.Parse("5m");
}

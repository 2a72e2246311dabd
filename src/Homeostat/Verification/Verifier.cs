using Homeostat.Healing;
using Homeostat.Signals;

namespace Homeostat.Verification;

public enum VerificationStatus
{
    /// <summary>The original signal is gone.</summary>
    Cleared,

    /// <summary>The original signal is still there.</summary>
    NotCleared,

    /// <summary>The check itself failed (source down, timeout); counts as not cleared, with the reason.</summary>
    Error,
}

public sealed record VerificationResult(VerificationStatus Status, string Detail)
{
    public bool IsCleared => Status == VerificationStatus.Cleared;
}

/// <summary>Re-checks the signal that opened an incident. Several verifiers exist; the first that can verify an incident does.</summary>
public interface IVerifier
{
    string Name { get; }

    /// <summary>Precedence: the verifier with the lowest order that can verify an incident does (ties by name). See <see cref="VerifierOrder"/>.</summary>
    int Order => VerifierOrder.Default;

    bool CanVerify(Incident incident);

    Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken);
}

/// <summary>
/// The fallback for sources that report recovery themselves (Alertmanager's resolved notifications, API callers
/// posting status: resolved): cleared once the source said the signal resolved.
/// </summary>
public sealed class SourceResolvedVerifier : IVerifier
{
    public string Name => "source_resolved";

    public int Order => VerifierOrder.Fallback;

    public bool CanVerify(Incident incident) => true;

    public Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken) =>
        Task.FromResult(incident.SourceResolvedAt is { } at
            ? new VerificationResult(VerificationStatus.Cleared, $"{incident.Signal.Source} reported the signal resolved at {Audit.AuditChain.FormatTime(at)}")
            : new VerificationResult(VerificationStatus.NotCleared, $"{incident.Signal.Source} has not reported the signal resolved"));
}

/// <summary>The declared precedence of the verifiers: the most specific judge first, the source's own word last.</summary>
public static class VerifierOrder
{
    /// <summary>A probe's own re-run.</summary>
    public const int Probe = 100;

    /// <summary>The Prometheus source's rule, with its threshold and carried labels: better than the generatorURL.</summary>
    public const int PrometheusRule = 200;

    /// <summary>The alert's expression from its generatorURL.</summary>
    public const int Prometheus = 300;

    /// <summary>Alertmanager's own list of active alerts.</summary>
    public const int Alertmanager = 400;

    /// <summary>The Kubernetes object's status.</summary>
    public const int Kubernetes = 500;

    /// <summary>Verifiers that declare no order (an embedder's or a test's).</summary>
    public const int Default = 1000;

    /// <summary>The source's report that the signal resolved: the judge of last resort.</summary>
    public const int Fallback = int.MaxValue;
}

/// <summary>Chooses the verifier for an incident by declared <see cref="IVerifier.Order"/>, ties broken by name; never by registration order.</summary>
public sealed class VerifierSelector(IEnumerable<IVerifier> verifiers)
{
    private readonly IReadOnlyList<IVerifier> _verifiers = verifiers.OrderBy(v => v.Order).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();

    /// <summary>The verifiers in the order they are asked.</summary>
    public IReadOnlyList<string> Names => _verifiers.Select(v => v.Name).ToList();

    public IVerifier For(Incident incident) => _verifiers.First(v => v.CanVerify(incident));

    public static bool IsFromProbe(Incident incident) => incident.Signal.Source == SignalSources.Probe;
}

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

    public bool CanVerify(Incident incident) => true;

    public Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken) =>
        Task.FromResult(incident.SourceResolvedAt is { } at
            ? new VerificationResult(VerificationStatus.Cleared, $"{incident.Signal.Source} reported the signal resolved at {Audit.AuditChain.FormatTime(at)}")
            : new VerificationResult(VerificationStatus.NotCleared, $"{incident.Signal.Source} has not reported the signal resolved"));
}

/// <summary>Chooses the verifier for an incident: specific verifiers first, the source-resolved fallback last.</summary>
public sealed class VerifierSelector(IEnumerable<IVerifier> verifiers)
{
    private readonly IReadOnlyList<IVerifier> _verifiers = verifiers.OrderBy(v => v is SourceResolvedVerifier ? 1 : 0).ToList();

    public IVerifier For(Incident incident) => _verifiers.First(v => v.CanVerify(incident));

    public static bool IsFromProbe(Incident incident) => incident.Signal.Source == SignalSources.Probe;
}

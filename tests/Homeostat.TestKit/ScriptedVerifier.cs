using System.Collections.Concurrent;
using Homeostat.Healing;
using Homeostat.Verification;

namespace Homeostat.TestKit;

/// <summary>A verifier whose answers the test decides: scripted results first, then a standing answer.</summary>
public sealed class ScriptedVerifier : IVerifier
{
    private readonly ConcurrentQueue<VerificationResult> _scripted = new();
    private VerificationResult _standing = new(VerificationStatus.NotCleared, "the scripted signal is still there");

    public string Name => "scripted";

    public List<string> Checked { get; } = [];

    public bool CanVerify(Incident incident) => true;

    public void AlwaysReturns(VerificationStatus status, string detail = "scripted") => _standing = new VerificationResult(status, detail);

    public void ThenReturns(params VerificationResult[] results)
    {
        foreach (var result in results)
        {
            _scripted.Enqueue(result);
        }
    }

    public Task<VerificationResult> CheckAsync(Incident incident, CancellationToken cancellationToken)
    {
        lock (Checked)
        {
            Checked.Add(incident.Id);
        }

        return Task.FromResult(_scripted.TryDequeue(out var result) ? result : _standing);
    }
}

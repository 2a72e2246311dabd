namespace Homeostat.Remediation.Certificates;

/// <summary>
/// Renews a cert-manager Certificate. <c>trigger_cert_renewal</c> hands Kubernetes targets to this when the Kubernetes
/// adapter registers one; host certificates never reach it.
/// </summary>
public interface ICertManagerRenewal
{
    Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken);

    Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken);
}

using Homeostat.Audit;
using Homeostat.Catalog;

namespace Homeostat.Healing;

public sealed record OperatorResult(bool Changed, string Detail);

/// <summary>What a human does to the guardrails' state, from the API or the CLI; each is audited with who did it.</summary>
public sealed class OperatorCommands(IHomeostatStore store, ICatalogProvider catalog, TimeProvider timeProvider)
{
    public Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                if (!await writer.ResumeAsync(service, failureClass, by, now, cancellationToken))
                {
                    return new OperatorResult(false, $"'{failureClass}' is not suspended for '{service}'");
                }

                var detail = $"{by} resumed '{failureClass}' for '{service}'; it may act again within its rate limit";
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Resumed, detail, null, service, new { service, @class = failureClass }) with { Actor = by }, cancellationToken);
                return new OperatorResult(true, detail);
            },
            cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken)
    {
        var remediation = catalog.Current.Find(failureClass);
        if (remediation is null)
        {
            return Task.FromResult(new OperatorResult(false, $"the catalog has no remediation for '{failureClass}'"));
        }

        return store.WriteAsync(
            async writer =>
            {
                var now = timeProvider.GetUtcNow();
                if (!await writer.PromoteAsync(failureClass, remediation.SpecHash, by, now, cancellationToken))
                {
                    return new OperatorResult(false, $"spec {remediation.SpecHash} of '{failureClass}' is already promoted");
                }

                var detail = $"{by} promoted spec {remediation.SpecHash} of '{failureClass}' out of its shadow period; it may now act for real";
                await writer.AppendAuditAsync(AuditEntry.For(AuditTypes.Promoted, detail, null, null, new { @class = failureClass, specHash = remediation.SpecHash }) with { Actor = by }, cancellationToken);
                return new OperatorResult(true, detail);
            },
            cancellationToken);
    }
}

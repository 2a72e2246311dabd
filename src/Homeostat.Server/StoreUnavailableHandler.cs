using Homeostat.Healing;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Homeostat.Server;

/// <summary>
/// A write the store refused because it cannot write (disk full, read-only, I/O error) is answered 503 with
/// Retry-After: nothing of the request was applied, and the same request may be sent again once the store recovers.
/// A store found damaged while running is answered 503 too, without Retry-After: it does not recover by itself.
/// </summary>
internal sealed class StoreUnavailableHandler(StoreHealth health, ILogger<ApiLog> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        if (exception is StoreDamagedException damaged)
        {
            await HomeostatApi.Damaged(damaged).ExecuteAsync(context);
            return true;
        }

        if (exception is not StoreUnavailableException unavailable)
        {
            return false;
        }

        logger.LogWarning("Write refused with 503: {Reason}", unavailable.Reason);
        context.Response.Headers.RetryAfter = HomeostatApi.RetryAfterSeconds(health);
        var problem = Problems.Create(
            StatusCodes.Status503ServiceUnavailable, "The store cannot write", $"{unavailable.Reason}; nothing of this request was applied: send it again later");
        await problem.ExecuteAsync(context);
        return true;
    }
}

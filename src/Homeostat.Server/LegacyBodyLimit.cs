using Homeostat.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

/// <summary>
/// <c>server.max_request_body_bytes</c>, the body limit's name before <c>intake.limits</c>, still applies when
/// <c>intake.limits.max_body_bytes</c> is not set, so existing configs keep their limit.
/// </summary>
internal sealed class LegacyBodyLimit(IConfiguration configuration, IOptions<ServerOptions> server) : IPostConfigureOptions<IntakeLimits>
{
    public void PostConfigure(string? name, IntakeLimits options)
    {
        if (configuration[$"{IntakeLimits.Section}:MaxBodyBytes"] is null && configuration[$"{ServerOptions.Section}:MaxRequestBodyBytes"] is not null)
        {
            options.MaxBodyBytes = server.Value.MaxRequestBodyBytes;
        }
    }
}

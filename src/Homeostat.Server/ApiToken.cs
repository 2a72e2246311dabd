using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

/// <summary>The bearer token write endpoints require, read once at start-up from the environment or a file.</summary>
public sealed class ApiToken
{
    private readonly byte[]? _expected;

    public ApiToken(IOptions<ServerOptions> options)
    {
        var token = Read(options.Value);
        _expected = token is null ? null : Encoding.UTF8.GetBytes(token);
    }

    public static string? Read(ServerOptions settings)
    {
        var token = settings.ApiTokenFile is { Length: > 0 } file && File.Exists(file)
            ? File.ReadAllText(file).Trim()
            : Environment.GetEnvironmentVariable(settings.ApiTokenEnv)?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }

    public bool IsConfigured => _expected is not null;

    /// <summary>Accepts <c>Authorization: Bearer TOKEN</c>, or Basic auth whose password is the token (Alertmanager's basic_auth).</summary>
    public bool Accepts(HttpRequest request)
    {
        if (_expected is null)
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header["Bearer ".Length..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                presented = colon >= 0 ? decoded[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected);
    }
}

/// <summary>Rejects writes without the configured token with 401 problem+json; reads stay open.</summary>
public sealed class RequireApiTokenFilter(ApiToken token) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!token.Accepts(context.HttpContext.Request))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"homeostat\"";
            return Problems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", "this endpoint needs 'Authorization: Bearer <token>' with the configured API token");
        }

        return await next(context);
    }
}

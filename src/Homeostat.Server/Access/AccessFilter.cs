using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Server.Access;

/// <summary>
/// Lets a request through when no token is configured, or when it presents a token whose role grants the endpoint's
/// right: <c>Authorization: Bearer TOKEN</c>, or Basic with the token as the password (Alertmanager's basic_auth).
/// Nothing else carries a token (never the query string). 401 without a valid token, 403 with one whose role is too low.
/// </summary>
public sealed class AccessFilter(AccessRight right) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var store = http.RequestServices.GetRequiredService<TokenStore>();
        if (!store.IsConfigured)
        {
            http.Features.Set(Caller.Anonymous);
            return await next(context);
        }

        var presented = Presented(http.Request.Headers.Authorization.ToString());
        var token = presented is null ? null : store.Authenticate(presented);
        if (token is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"homeostat\"";
            return Problems.Create(
                StatusCodes.Status401Unauthorized,
                "Unauthorized",
                presented is null
                    ? "this endpoint needs 'Authorization: Bearer <token>' (or Basic auth with the token as the password)"
                    : "the token is not one the service accepts");
        }

        if (!token.Role.Grants(right))
        {
            return Problems.Create(
                StatusCodes.Status403Forbidden,
                "Forbidden",
                $"the token '{token.Name}' has the role {token.Role.ToWord()}; {http.Request.Method} {http.Request.Path} needs the role {AccessRoles.RolesGranting(right)}");
        }

        var caller = new Caller(token);
        http.Features.Set(caller);

        // Arguments are bound before filters run: the handler's Caller is the one found here.
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (context.Arguments[i] is Caller)
            {
                context.Arguments[i] = caller;
            }
        }

        return await next(context);
    }

    /// <summary>The token in the Authorization header, or null when there is none or the header is malformed.</summary>
    public static string? Presented(string header)
    {
        if (header.Length is 0 or > TokenSources.MaxTokenLength * 2)
        {
            return null;
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && colon < decoded.Length - 1 ? decoded[(colon + 1)..] : null;
        }
        catch (Exception exception) when (exception is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}

public static class AccessEndpoints
{
    /// <summary>Every endpoint of the group needs a token whose role grants <paramref name="right"/> (when tokens are configured).</summary>
    public static RouteGroupBuilder RequireAccess(this RouteGroupBuilder group, AccessRight right)
    {
        group.AddEndpointFilter(new AccessFilter(right));
        return group;
    }
}

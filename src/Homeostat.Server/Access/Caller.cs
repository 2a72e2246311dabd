using Homeostat.Healing;
using Microsoft.AspNetCore.Http;

namespace Homeostat.Server.Access;

/// <summary>
/// Who made the request: the token it presented, or nobody when no token is configured. A handler takes it as a
/// parameter; <see cref="AccessFilter"/> puts the authenticated one in its place before the handler runs.
/// </summary>
public sealed record Caller(ConfiguredToken? Token)
{
    /// <summary>The actor of a call without a token, when none is configured and the caller names nobody.</summary>
    public const string AnonymousActor = "api";

    public static readonly Caller Anonymous = new((ConfiguredToken?)null);

    /// <summary>
    /// The operator call this request makes. With a token, the actor is the token's name and <paramref name="statedBy"/>
    /// (the request's <c>by</c>) is kept beside it as a comment; without one, <c>by</c> is all there is. The handlers'
    /// stand-in for "nobody named" (<see cref="AnonymousActor"/>) is no statement.
    /// </summary>
    public OperatorCall Attribute(string? statedBy, string? note = null) => Token is null
        ? new OperatorCall(string.IsNullOrEmpty(statedBy) ? AnonymousActor : statedBy) { Note = note }
        : new OperatorCall(Token.Name) { StatedBy = statedBy is null or "" or AnonymousActor ? null : statedBy, Note = note };

    /// <summary>Minimal API binding: the caller <see cref="AccessFilter"/> found.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(Of(context));

    public static Caller Of(HttpContext context) => context.Features.Get<Caller>() ?? Anonymous;
}

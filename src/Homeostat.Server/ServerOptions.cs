using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;

namespace Homeostat.Server;

public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>The variable the token is read from unless <see cref="ApiTokenEnv"/> names another; clients read it too.</summary>
    public const string DefaultApiTokenEnv = "HOMEOSTAT_API_TOKEN";

    /// <summary>Where the HTTP API listens. The default binds to loopback only.</summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:8088";

    /// <summary>
    /// The service's URL as its clients reach it (<c>server.url</c>), not where it listens: with it, <c>homeostat approve</c>,
    /// <c>reject</c>, <c>resolve</c>, <c>promote</c>, <c>resume</c> and <c>label</c> call this API instead of opening the store.
    /// An absolute http(s) URL without credentials; the token travels in a header, never in the URL.
    /// </summary>
    [ClientUrl]
    public string? Url { get; set; }

    /// <summary>
    /// The environment variable holding the single <c>admin</c> token named <c>default</c> (the form before named tokens;
    /// it still works). Unset or empty: no such token.
    /// </summary>
    public string ApiTokenEnv { get; set; } = DefaultApiTokenEnv;

    /// <summary>
    /// A file holding the <c>default</c> admin token instead (a mounted secret); it wins over <see cref="ApiTokenEnv"/>.
    /// Set, it must hold a token: an empty, missing or unreadable file refuses start-up. Its content is never logged or audited.
    /// </summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>Named tokens, each with a role (<c>server.tokens</c>). With any token configured, every endpoint but the probes needs one.</summary>
    public List<TokenOptions> Tokens { get; set; } = [];

    /// <summary>How often token files are read again, so a rotated secret takes effect without a restart.</summary>
    public Duration TokenReloadInterval { get; set; } = Duration.Parse("30s");

    /// <summary>The largest request body accepted, in bytes. The default is 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Allow listening beyond loopback with no token at all, so that the whole API (reads and writes) is open to whoever
    /// reaches the port: only behind a proxy that authenticates. Off: such a start-up is refused.
    /// </summary>
    public bool AllowUnauthenticatedWrites { get; set; }

    /// <summary>
    /// Checks a URL a client is to call: absolute, http or https, no credentials, no query or fragment. The problem is a
    /// sentence to follow the setting's name; a URL carrying credentials is never repeated in it.
    /// </summary>
    public static bool TryParseClientUrl(string text, out Uri? uri, out string? problem)
    {
        uri = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || string.IsNullOrEmpty(parsed.Host))
        {
            // What does not parse may still hold a password before an '@': show it only when it cannot.
            problem = "must be an absolute http(s) URL such as https://homeostat.example:8088"
                + (text.Contains('@', StringComparison.Ordinal) ? " (the value is not shown: it contains '@')" : $" (got '{text}')");
            return false;
        }

        if (parsed.UserInfo.Length > 0)
        {
            problem = $"must not carry credentials ({parsed.Scheme}://user:password@...); the API token is read from --token-file or the {DefaultApiTokenEnv} environment variable";
            return false;
        }

        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            problem = $"must not have a query or a fragment (got '{parsed.GetLeftPart(UriPartial.Path)}' followed by one)";
            return false;
        }

        uri = parsed;
        problem = null;
        return true;
    }
}

/// <summary>One named token (<c>server.tokens[i]</c>): its name is the actor the audit trail records for its calls.</summary>
public sealed class TokenOptions
{
    public string? Name { get; set; }

    /// <summary>viewer, ingest, operator or admin.</summary>
    public string? Role { get; set; }

    /// <summary>A file holding the token; read again when it changes.</summary>
    public string? File { get; set; }

    /// <summary>Or an environment variable holding it.</summary>
    public string? Env { get; set; }
}

/// <summary>Validates <see cref="ServerOptions.Url"/> at start-up with <see cref="ServerOptions.TryParseClientUrl"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClientUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string { Length: > 0 } text && !ServerOptions.TryParseClientUrl(text, out _, out var problem)
            ? new ValidationResult($"server.url {problem}", validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}

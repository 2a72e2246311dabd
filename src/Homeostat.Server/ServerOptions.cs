using System.ComponentModel.DataAnnotations;

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

    /// <summary>The environment variable holding the bearer token that write endpoints require.</summary>
    public string ApiTokenEnv { get; set; } = DefaultApiTokenEnv;

    /// <summary>A file holding the token instead (a mounted secret). Its content is never logged or audited.</summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>The largest request body accepted, in bytes. The default is 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Allow write endpoints without a token on a non-loopback address. Off: such a start-up is refused.</summary>
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

/// <summary>Validates <see cref="ServerOptions.Url"/> at start-up with <see cref="ServerOptions.TryParseClientUrl"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClientUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string { Length: > 0 } text && !ServerOptions.TryParseClientUrl(text, out _, out var problem)
            ? new ValidationResult($"server.url {problem}", validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}

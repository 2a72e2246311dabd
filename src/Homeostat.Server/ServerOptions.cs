using System.ComponentModel.DataAnnotations;

namespace Homeostat.Server;

public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>Where the HTTP API listens. The default binds to loopback only.</summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:8088";

    /// <summary>The environment variable holding the bearer token that write endpoints require.</summary>
    public string ApiTokenEnv { get; set; } = "HOMEOSTAT_API_TOKEN";

    /// <summary>A file holding the token instead (a mounted secret). Its content is never logged or audited.</summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>The largest request body accepted, in bytes. The default is 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Allow write endpoints without a token on a non-loopback address. Off: such a start-up is refused.</summary>
    public bool AllowUnauthenticatedWrites { get; set; }
}

using Homeostat.Configuration;
using Homeostat.Server;
using Microsoft.Extensions.Configuration;

namespace Homeostat.Cli.Client;

/// <summary>
/// The running service an operator command calls, and the token it presents: <c>--server</c>, else <c>server.url</c> from the
/// config file or its <c>HOMEOSTAT__SERVER__URL</c> override; <c>--token-file</c>, else the config's <c>server.api_token_file</c>, else the environment variable the
/// service reads (<c>HOMEOSTAT_API_TOKEN</c> unless <c>server.api_token_env</c> names another).
/// </summary>
internal sealed record ServerConnection(Uri BaseAddress, string? Token, string TokenSource, TimeSpan Timeout)
{
    /// <summary>The longest a client waits for one answer.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The URL as errors name it: credentials are refused before this exists, so there are none to hide.</summary>
    public string Url => BaseAddress.AbsoluteUri;

    /// <summary>
    /// Where the command goes: null with no errors means offline (no <c>--server</c>, no <c>server.url</c>), so the
    /// store is opened directly. Every problem is reported at once; none repeats a token or a URL's credentials.
    /// </summary>
    public static ServerConnection? Resolve(string? server, string? configPath, string? tokenFile, TimeSpan timeout, List<string> errors)
    {
        // The same sources as run: the file, then HOMEOSTAT__SERVER__URL and the other overrides.
        var settings = HomeostatComposition.BuildConfiguration(configPath).GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        var (url, setting) = string.IsNullOrWhiteSpace(server) ? (settings.Url, "server.url") : (server, "--server");
        if (string.IsNullOrWhiteSpace(url))
        {
            if (tokenFile is not null)
            {
                errors.Add("--token-file goes with --server URL (or server.url in the config); without them the store is opened directly");
            }

            return null;
        }

        if (!ServerOptions.TryParseClientUrl(url.Trim(), out var uri, out var problem))
        {
            errors.Add($"{setting} {problem}");
        }

        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            errors.Add($"--timeout must be more than 0s and at most {MaxTimeout.TotalMinutes:0}m");
        }

        var (token, source) = ReadToken(tokenFile, settings, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        // A base with a path (a proxy's prefix) keeps it: relative API paths resolve below its last slash.
        var baseAddress = uri!.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
        return new ServerConnection(baseAddress, token, source, timeout);
    }

    private static (string? Token, string Source) ReadToken(string? tokenFile, ServerOptions settings, List<string> errors)
    {
        if (tokenFile is not null)
        {
            return (ReadTokenFile(tokenFile, $"--token-file {tokenFile}", errors), $"--token-file {tokenFile}");
        }

        if (settings.ApiTokenFile is { Length: > 0 } configured)
        {
            return (ReadTokenFile(configured, $"server.api_token_file {configured}", errors), $"server.api_token_file {configured}");
        }

        var variable = settings.ApiTokenEnv;
        var value = Environment.GetEnvironmentVariable(variable)?.Trim();
        var source = $"the {variable} environment variable";
        return string.IsNullOrEmpty(value) ? (null, source) : (Checked(value, source, errors), source);
    }

    private static string? ReadTokenFile(string path, string source, List<string> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            errors.Add($"cannot read the token from {source}: {exception.Message}");
            return null;
        }

        if (text.Length == 0)
        {
            errors.Add($"{source} is empty; it must hold the service's API token");
            return null;
        }

        return Checked(text, source, errors);
    }

    /// <summary>A token goes into an HTTP header: printable ASCII only. The token itself is never shown.</summary>
    private static string? Checked(string token, string source, List<string> errors)
    {
        if (token.Any(c => c is < ' ' or > '~'))
        {
            errors.Add($"the token in {source} has characters an HTTP header cannot carry (line breaks, control characters or non-ASCII); it is not shown");
            return null;
        }

        return token;
    }
}

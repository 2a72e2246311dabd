using System.Security.Cryptography;
using System.Text;
using Homeostat.Signals;

namespace Homeostat.Server.Access;

/// <summary>A token as the service keeps it: its name, its role and the SHA-256 of its value, never the value.</summary>
public sealed record ConfiguredToken(string Name, AccessRole Role, byte[] Hash, string Source);

/// <summary>Every token the configuration names, read from its file or variable, with every problem found at once.</summary>
public sealed record TokenReadResult(IReadOnlyList<ConfiguredToken> Tokens, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Reads the tokens <c>server.tokens</c> and the older <c>server.api_token_file</c> / <c>api_token_env</c> name. A source
/// that is configured must hold a token: an empty, missing or unreadable file is a problem, never "no token". Problems
/// start with the dotted key at fault and never repeat a token.
/// </summary>
public static class TokenSources
{
    /// <summary>The name of the token <c>server.api_token_file</c> or <c>api_token_env</c> holds; it has the admin role.</summary>
    public const string DefaultName = "default";

    /// <summary>Longer than any real token; a header beyond it is refused before it is hashed.</summary>
    public const int MaxTokenLength = 4096;

    /// <summary>True when the configuration names any token source, whether or not it can be read.</summary>
    public static bool AnyConfigured(ServerOptions options, Func<string, string?> environment) =>
        options.Tokens.Count > 0
        || options.ApiTokenFile is { Length: > 0 }
        || !string.IsNullOrWhiteSpace(environment(options.ApiTokenEnv));

    public static TokenReadResult Read(ServerOptions options) => Read(options, Environment.GetEnvironmentVariable);

    public static TokenReadResult Read(ServerOptions options, Func<string, string?> environment)
    {
        var tokens = new List<ConfiguredToken>();
        var problems = new List<string>();
        if (options.ApiTokenFile is { Length: > 0 } file)
        {
            Add(DefaultName, AccessRole.Admin, ReadFile(file, "server.api_token_file", problems), $"server.api_token_file {file}", tokens, problems);
        }
        else if (environment(options.ApiTokenEnv) is { } value && !string.IsNullOrWhiteSpace(value))
        {
            Add(DefaultName, AccessRole.Admin, Checked(value.Trim(), $"server.api_token_env ({options.ApiTokenEnv})", problems), $"the {options.ApiTokenEnv} environment variable", tokens, problems);
        }

        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var entry = options.Tokens[i];
            var key = $"server.tokens[{i}]";
            var before = problems.Count;
            if (string.IsNullOrWhiteSpace(entry.Name) || !SignalIdentity.IsSafeName(entry.Name.Trim()))
            {
                problems.Add($"{key}.name is required and may use only letters, digits and . _ - : / @ (got '{entry.Name}')");
            }
            else if (tokens.Any(t => t.Name == entry.Name.Trim()) || options.Tokens.Take(i).Any(t => t.Name?.Trim() == entry.Name.Trim()))
            {
                problems.Add($"{key}.name '{entry.Name.Trim()}' is used twice; each token's name is the actor the audit trail records, so it must be unique"
                    + (entry.Name.Trim() == DefaultName ? $" ('{DefaultName}' is the token of server.api_token_file / api_token_env)" : string.Empty));
            }

            if (!AccessRoles.TryParse(entry.Role, out var role))
            {
                problems.Add($"{key}.role must be one of {string.Join(", ", AccessRoles.All.Select(r => r.ToWord()))} (got '{entry.Role}')");
            }

            string? token = null;
            var hasFile = !string.IsNullOrWhiteSpace(entry.File);
            var hasEnv = !string.IsNullOrWhiteSpace(entry.Env);
            if (hasFile == hasEnv)
            {
                problems.Add($"{key} needs exactly one of file (a file holding the token) or env (an environment variable holding it)");
            }
            else if (hasFile)
            {
                token = ReadFile(entry.File!, $"{key}.file", problems);
            }
            else if (environment(entry.Env!.Trim()) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                token = Checked(value.Trim(), $"{key}.env ({entry.Env.Trim()})", problems);
            }
            else
            {
                problems.Add($"{key}.env names {entry.Env.Trim()}, which is not set or is empty; it must hold the token");
            }

            if (problems.Count == before)
            {
                Add(entry.Name!.Trim(), role, token, hasFile ? $"{key}.file {entry.File}" : $"the {entry.Env!.Trim()} environment variable", tokens, problems);
            }
        }

        return new TokenReadResult(tokens, problems);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static void Add(string name, AccessRole role, string? token, string source, List<ConfiguredToken> tokens, List<string> problems)
    {
        if (token is null)
        {
            return;
        }

        var hash = Hash(token);
        if (tokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(t.Hash, hash)) is { } same)
        {
            // The same value under two names would make the actor ambiguous.
            problems.Add($"{source} holds the same token as {same.Source}; each name needs its own token (it is not shown)");
            return;
        }

        tokens.Add(new ConfiguredToken(name, role, hash, source));
    }

    private static string? ReadFile(string path, string key, List<string> problems)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var reason = exception is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read: {exception.Message.TrimEnd('.')}";
            problems.Add($"{key} '{path}' {reason}; it must hold the API token");
            return null;
        }

        if (text.Length == 0)
        {
            problems.Add($"{key} '{path}' is empty; it must hold the API token (an empty file never turns authentication off)");
            return null;
        }

        return Checked(text, $"{key} '{path}'", problems);
    }

    /// <summary>A token travels in an HTTP header: printable ASCII on one line, and not absurdly long. It is never shown.</summary>
    private static string? Checked(string token, string where, List<string> problems)
    {
        if (token.Length > MaxTokenLength || token.Any(c => c is < ' ' or > '~'))
        {
            problems.Add($"{where} must hold one token of at most {MaxTokenLength} printable ASCII characters on one line (it is not shown)");
            return null;
        }

        return token;
    }
}

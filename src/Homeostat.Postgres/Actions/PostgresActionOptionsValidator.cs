using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Homeostat.Postgres.Actions;

/// <summary>
/// Checks <see cref="PostgresActionOptions"/> at start-up and reports every error at once. Errors name targets and
/// environment variables, never a connection string or a password.
/// </summary>
public sealed partial class PostgresActionOptionsValidator : IValidateOptions<PostgresActionOptions>
{
    public const int MaxTimeoutSeconds = 300;

    public ValidateOptionsResult Validate(string? name, PostgresActionOptions options)
    {
        var errors = new List<string>();
        var section = PostgresActionOptions.Section;
        if (options.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            errors.Add($"{section}:TimeoutSeconds must be between 1 and {MaxTimeoutSeconds}, not {options.TimeoutSeconds}");
        }

        foreach (var (target, settings) in (options.Targets ?? []).OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var key = $"{section}:Targets:{target}";
            if (!TargetName().IsMatch(target))
            {
                errors.Add($"{key}: a target name must be 1 to 63 letters, digits, '_', '-' or '.', starting with a letter or digit");
            }

            if (settings is null)
            {
                errors.Add($"{key}: ConnectionStringEnv is required");
                continue;
            }

            if (!PostgresConnections.TryConnectionString(settings, out _, out var problem))
            {
                errors.Add($"{key}: {problem}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The names a target may have; a signal's label must equal one of the configured names exactly.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\\z")]
    internal static partial Regex TargetName();
}

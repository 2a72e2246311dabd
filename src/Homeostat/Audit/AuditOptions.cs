using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Audit;

/// <summary><c>audit.*</c>: the key the chain is kept with, and where checkpoints of its head go.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>A file holding the key (at least 16 bytes; white space around it ignored). Must be outside the data directory.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The name of an environment variable holding the key, instead of <see cref="KeyFile"/>.</summary>
    public string? KeyEnv { get; set; }

    /// <summary>Files of keys used before a rotation: not written with, only used to verify older records and checkpoints.</summary>
    public List<string> PreviousKeyFiles { get; set; } = [];

    public AuditCheckpointOptions Checkpoints { get; set; } = new();

    /// <summary>Reads the configured keys; throws with the located setting's name when one cannot be used.</summary>
    public AuditKeyRing LoadKeys()
    {
        var current = LoadCurrent(out var problem);
        if (problem is not null)
        {
            throw new InvalidOperationException(problem);
        }

        var previous = new List<AuditKey>();
        for (var i = 0; i < PreviousKeyFiles.Count; i++)
        {
            var key = AuditKey.FromFile(PreviousKeyFiles[i], $"audit.previous_key_files[{i}]", out problem)
                ?? throw new InvalidOperationException($"audit.previous_key_files[{i}] '{PreviousKeyFiles[i]}' {problem}");
            previous.Add(key);
        }

        return new AuditKeyRing(current, previous);
    }

    internal AuditKey? LoadCurrent(out string? problem)
    {
        problem = null;
        if (!string.IsNullOrEmpty(KeyFile))
        {
            var key = AuditKey.FromFile(KeyFile, "audit.key_file", out var why);
            problem = key is null ? $"audit.key_file '{KeyFile}' {why}" : null;
            return key;
        }

        if (!string.IsNullOrEmpty(KeyEnv))
        {
            var key = AuditKey.FromText(Environment.GetEnvironmentVariable(KeyEnv), $"audit.key_env {KeyEnv}", out var why);
            problem = key is null ? $"audit.key_env: the environment variable {KeyEnv} {(Environment.GetEnvironmentVariable(KeyEnv) is null ? "is not set" : why)}" : null;
            return key;
        }

        return null;
    }
}

public sealed class AuditCheckpointOptions
{
    /// <summary>Where checkpoints are appended (<c>checkpoints.jsonl</c>); keep it off the data directory's disk and permissions. Unset: checkpoints go to the log only.</summary>
    public string? Directory { get; set; }

    /// <summary>How often the head of the chain is checkpointed (only when it moved); also on graceful shutdown.</summary>
    public Duration Interval { get; set; } = Duration.Parse("5m");

    /// <summary>
    /// Also POST each checkpoint as JSON to this URL (a log collector, a witness service in another trust domain), so a
    /// copy of the head lives where the store's operator cannot rewrite it. Unset: no webhook.
    /// </summary>
    public string? WebhookUrl { get; set; }
}

/// <summary>Refuses a key that is configured but cannot be used: start-up fails rather than writing an unkeyed chain.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.KeyFile) && !string.IsNullOrEmpty(options.KeyEnv))
        {
            errors.Add("audit.key_env: set either audit.key_file or audit.key_env, not both");
        }

        options.LoadCurrent(out var problem);
        if (problem is not null)
        {
            errors.Add(problem);
        }

        for (var i = 0; i < options.PreviousKeyFiles.Count; i++)
        {
            if (AuditKey.FromFile(options.PreviousKeyFiles[i], "previous", out var why) is null)
            {
                errors.Add($"audit.previous_key_files[{i}] '{options.PreviousKeyFiles[i]}' {why}");
            }
        }

        if (options.Checkpoints.Interval.Value <= TimeSpan.Zero)
        {
            errors.Add("audit.checkpoints.interval must be positive");
        }

        if (options.Checkpoints.WebhookUrl is { Length: > 0 } url && !WebhookCheckpointSink.IsUsableUrl(url))
        {
            errors.Add($"audit.checkpoints.webhook_url must be an absolute http or https URL without user information (value: '{WebhookCheckpointSink.Redacted(url)}')");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is <paramref name="directory"/> or inside it: as written (both made absolute), or
    /// once every symbolic link on either path is followed. A link inside the directory counts as inside wherever it
    /// points (whoever writes the directory can point it elsewhere), and so does a link outside that points in.
    /// </summary>
    public static bool IsInside(string path, string directory) =>
        IsUnder(Path.GetFullPath(path), Path.GetFullPath(directory)) || IsUnder(RealPath(path), RealPath(directory));

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link on it followed, as far as it exists (a file or
    /// directory still to be created keeps its written tail).
    /// </summary>
    public static string RealPath(string path) => RealPath(Path.GetFullPath(path), hops: 0);

    private const int MaxLinkHops = 40;

    private static string RealPath(string full, int hops)
    {
        var root = Path.GetPathRoot(full)!;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            if (hops < MaxLinkHops && new FileInfo(next).LinkTarget is { } target)
            {
                // A relative target is relative to the link's own directory; the rest of the path follows the target.
                var resolved = Path.GetFullPath(target, current);
                return RealPath(Path.GetFullPath(Path.Combine([resolved, .. parts[(i + 1)..]])), hops + 1);
            }

            current = next;
        }

        return current;
    }

    private static bool IsUnder(string full, string root)
    {
        full = full.TrimEnd(Path.DirectorySeparatorChar);
        root = root.TrimEnd(Path.DirectorySeparatorChar);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}

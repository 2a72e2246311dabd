using Homeostat.Remediation;

namespace Homeostat.Host.Actions;

/// <summary>
/// Checks that a path taken from untrusted input stays inside an allowlisted root, after resolving every symbolic
/// link on the way, so neither <c>../</c> nor a planted link can lead outside.
/// </summary>
public static class SafePaths
{
    public const int MaxPathLength = 4096;

    /// <summary>Resolves <paramref name="candidate"/> to a real directory under one of <paramref name="roots"/>, or says why not.</summary>
    public static bool TryResolveDirectoryUnder(string candidate, IEnumerable<string> roots, out string resolved, out string problem)
    {
        resolved = string.Empty;
        if (string.IsNullOrWhiteSpace(candidate))
        {
            problem = "no path was given";
            return false;
        }

        if (candidate.Length > MaxPathLength || candidate.Any(char.IsControl))
        {
            problem = "the path holds control characters or is too long";
            return false;
        }

        if (!Path.IsPathFullyQualified(candidate))
        {
            problem = $"the path '{candidate}' is not absolute";
            return false;
        }

        var realRoots = roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => RealPath(Path.GetFullPath(r))).ToList();
        if (realRoots.Count == 0)
        {
            problem = "no allowlisted roots are configured for this action";
            return false;
        }

        string real;
        try
        {
            real = RealPath(Path.GetFullPath(candidate));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = $"the path '{candidate}' cannot be resolved: {exception.Message}";
            return false;
        }

        if (!realRoots.Any(root => IsUnder(real, root)))
        {
            var shown = real == candidate ? $"'{candidate}'" : $"'{candidate}' (really '{real}')";
            problem = $"{shown} is outside the allowlisted roots: {string.Join(", ", realRoots)}";
            return false;
        }

        if (!Directory.Exists(real))
        {
            problem = $"'{real}' is not a directory";
            return false;
        }

        resolved = real;
        problem = string.Empty;
        return true;
    }

    public static bool IsUnder(string path, string root)
    {
        var normalizedRoot = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return string.Equals(path, root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
            || path.StartsWith(normalizedRoot, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link in it resolved, like realpath(3); missing tails are kept as written.</summary>
    public static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        var parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : Path.GetFullPath(target.FullName);
                next = RealPath(next);
            }
            else if (!info.Exists)
            {
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = next;
        }

        return current;
    }

    public static bool IsLink(FileSystemInfo info) => info.LinkTarget is not null || info.Attributes.HasFlag(FileAttributes.ReparsePoint);
}

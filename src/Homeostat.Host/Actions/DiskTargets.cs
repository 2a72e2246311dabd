using System.Globalization;
using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;

namespace Homeostat.Host.Actions;

/// <summary>How full the filesystem holding a path is; an interface so tests can say how full it is.</summary>
public interface IFilesystemUsage
{
    FilesystemUse Measure(string path);

    /// <summary>This host's mount points, without trailing '/' (but "/" itself); empty when the mount table cannot be read.</summary>
    IReadOnlyList<string> MountPoints() => [];
}

public readonly record struct FilesystemUse(long TotalBytes, long AvailableBytes)
{
    public double UsedPercent => TotalBytes > 0 ? 100.0 * (TotalBytes - AvailableBytes) / TotalBytes : 0;
}

/// <summary>statfs(2) of the path, through <see cref="DriveInfo"/>: the space an unprivileged writer can still use.</summary>
public sealed class DriveFilesystemUsage : IFilesystemUsage
{
    public FilesystemUse Measure(string path)
    {
        var drive = new DriveInfo(path);
        return new FilesystemUse(drive.TotalSize, drive.AvailableFreeSpace);
    }

    public IReadOnlyList<string> MountPoints()
    {
        try
        {
            return DriveInfo.GetDrives().Select(d => Normalized(d.Name)).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string Normalized(string mountpoint) => mountpoint.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/";
}

/// <summary>
/// The disk actions' target and premise. The target: the directory the signal names (a path label or resource.path),
/// else the directories the catalog's <c>targets:</c> map gives for its mountpoint, device or service, else the
/// catalog's <c>path</c>, each resolved inside the allowlisted roots. A signal about a filesystem that maps to nothing
/// the action may touch is not applicable, never a failure. The premise: a directory is over its <c>budget</c>, or its
/// filesystem is at least <c>max_used_percent</c> full; a directory where neither holds is left alone.
/// </summary>
public sealed class DiskTargets(IFilesystemUsage filesystems)
{
    /// <summary>Resolves the directories and checks the premise on each; see <see cref="DiskSelection"/> for the verdicts.</summary>
    public DiskSelection Select(ActionRequest request, IReadOnlyList<string> directoryLabels, IEnumerable<string> allowedRoots, CancellationToken cancellationToken)
    {
        var resolution = Resolve(request, directoryLabels, allowedRoots);
        if (resolution.Directories is not { } directories)
        {
            return new DiskSelection([], resolution.Refused, resolution.NotApplicable, null, []);
        }

        var budget = request.Parameters.ByteSize("budget");
        var maxUsed = request.Parameters.Integer("max_used_percent") ?? KnownActions.DefaultMaxUsedPercent;
        var over = new List<string>();
        var observed = new List<string>();
        foreach (var directory in directories)
        {
            var (holds, seen) = Check(directory, budget, maxUsed, cancellationToken);
            observed.Add(seen);
            if (holds)
            {
                over.Add(directory);
            }
        }

        var text = $"{resolution.Via}: {string.Join("; ", observed)}";
        return over.Count == 0
            ? new DiskSelection([], null, null, text, observed)
            : new DiskSelection(over, null, null, null, observed) { Holds = text };
    }

    private (bool Holds, string Observed) Check(string directory, ByteSize? budget, long maxUsedPercent, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        var holds = false;
        if (budget is { } limit)
        {
            var size = DirectorySize(directory, cancellationToken);
            var overBudget = size > limit.Bytes;
            holds = overBudget;
            parts.Add($"{directory} holds {new ByteSize(size)}, {(overBudget ? "over" : "within")} its budget {limit}");
        }

        try
        {
            var use = filesystems.Measure(directory);
            var full = use.UsedPercent >= maxUsedPercent;

            // A budget is the operator's own measure of "too much" for this directory: with one, the filesystem is context.
            holds = budget is null ? full : holds;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{(budget is null ? directory + "'s" : "its")} filesystem is {use.UsedPercent:0.#}% used ({new ByteSize(use.AvailableBytes)} free of {new ByteSize(use.TotalBytes)}), {(full ? "at or above" : "below")} max_used_percent {maxUsedPercent}%"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            parts.Add($"the filesystem of {directory} cannot be measured: {exception.Message}");
        }

        return (holds, string.Join(", ", parts));
    }

    private static long DirectorySize(string directory, CancellationToken cancellationToken)
    {
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        long size = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", enumeration))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SafePaths.IsLink(file))
            {
                size += file.Length;
            }
        }

        return size;
    }

    private Resolution Resolve(ActionRequest request, IReadOnlyList<string> directoryLabels, IEnumerable<string> allowedRoots)
    {
        var signal = request.Signal;
        var roots = allowedRoots.ToList();
        var catalogPath = request.Parameters.String("path");
        string? bound = null;
        if (catalogPath is not null)
        {
            // The catalog's path is reviewed configuration: when it is wrong, the action is broken, not inapplicable.
            if (!SafePaths.TryResolveDirectoryUnder(catalogPath, roots, out var resolvedBound, out var problem))
            {
                return Resolution.Refuse("refused: the catalog's path: " + problem);
            }

            bound = resolvedBound;
            roots = [resolvedBound];
        }

        var named = directoryLabels.Select(l => (Via: $"label {l}", Value: signal.Label(l))).FirstOrDefault(c => !string.IsNullOrEmpty(c.Value));
        if (named.Value is null && !string.IsNullOrEmpty(signal.Resource?.Path))
        {
            named = ("resource.path", signal.Resource.Path);
        }

        if (named.Value is { } directory)
        {
            return SafePaths.TryResolveDirectoryUnder(directory, roots, out var resolved, out var problem)
                ? Resolution.To([resolved], $"{named.Via} '{directory}'")
                : Resolution.Inapplicable($"the signal's directory ({named.Via}): {problem}");
        }

        if (request.Targets.Resolve(signal) is { } mapped)
        {
            var inside = new List<string>();
            var problems = new List<string>();
            foreach (var candidate in mapped.Directories)
            {
                if (SafePaths.TryResolveDirectoryUnder(candidate, roots, out var resolved, out var problem))
                {
                    if (!inside.Contains(resolved))
                    {
                        inside.Add(resolved);
                    }
                }
                else
                {
                    problems.Add(problem);
                }
            }

            return inside.Count > 0
                ? Resolution.To(inside, $"{mapped.Via} maps to {string.Join(", ", inside)} (targets)")
                : Resolution.Inapplicable($"{mapped.Via} maps to {string.Join(", ", mapped.Directories)} in the catalog's targets, none of which this action may touch: {string.Join("; ", problems)}");
        }

        if (signal.Label("mountpoint") is { Length: > 0 } mountpoint)
        {
            // A filesystem, not a directory: only a mount that is itself allowlisted (a dedicated log volume), or the
            // catalog's own path on it, is a directory this action may work in.
            if (SafePaths.TryResolveDirectoryUnder(mountpoint, roots, out var resolved, out _))
            {
                return Resolution.To([resolved], $"mountpoint '{mountpoint}', itself an allowlisted directory");
            }

            var mount = mountpoint.TrimEnd('/') is { Length: > 0 } m ? m : "/";
            if (bound is not null && mountpoint.StartsWith('/') && SafePaths.IsUnder(bound, mount))
            {
                // /var/log on its own volume is under "/" by name but not on the root filesystem: rotating it frees nothing there.
                var mounts = filesystems.MountPoints();
                var real = SafePaths.RealPath(bound);
                var holding = mounts.Where(point => SafePaths.IsUnder(real, point)).MaxBy(point => point.Length);
                if (mounts.Contains(mount) && holding is not null && holding != mount)
                {
                    return Resolution.Inapplicable($"the signal is about the filesystem mounted at '{mountpoint}', and the catalog's path {bound} is on another filesystem, mounted at '{holding}'");
                }

                return Resolution.To([bound], $"the catalog's path, on mountpoint '{mountpoint}'");
            }

            return Resolution.Inapplicable(
                $"the signal is about the filesystem mounted at '{mountpoint}', and neither the catalog's targets.mountpoints nor its path give a directory on it inside the allowlisted roots ({Roots(roots)})");
        }

        if (bound is not null)
        {
            return Resolution.To([bound], "the catalog's path");
        }

        return Resolution.Inapplicable(
            $"the signal names no directory (labels {string.Join(", ", directoryLabels)} or resource.path), the catalog's targets map nothing for it and the catalog sets no path");
    }

    private static string Roots(IReadOnlyList<string> roots) => roots.Count == 0 ? "none are configured" : string.Join(", ", roots);

    private sealed record Resolution(IReadOnlyList<string>? Directories, string Via, string? Refused, string? NotApplicable)
    {
        public static Resolution To(IReadOnlyList<string> directories, string via) => new(directories, via, null, null);

        public static Resolution Refuse(string problem) => new(null, string.Empty, problem, null);

        public static Resolution Inapplicable(string reason) => new(null, string.Empty, null, reason);
    }
}

/// <summary>
/// The directories a disk action may act on now, or why none: <see cref="Refused"/> (the catalog is wrong: a failure),
/// <see cref="NotApplicable"/> (the signal's target is nothing it may touch) or <see cref="NotMet"/> (what it saw).
/// </summary>
public sealed record DiskSelection(IReadOnlyList<string> Directories, string? Refused, string? NotApplicable, string? NotMet, IReadOnlyList<string> Observed)
{
    /// <summary>What the action saw where the premise holds, for the audit trail.</summary>
    public string? Holds { get; init; }

    public PremiseObservation? Premise => Holds is { } holds ? new PremiseObservation(PremiseVerdict.Holds, holds) : null;

    /// <summary>The preview that says why the action does not run; null when it may.</summary>
    public ActionPreview? NotRunPreview =>
        Refused is { } refused ? ActionPreview.Refused(refused)
        : NotApplicable is { } reason ? ActionPreview.NotApplicable(reason)
        : NotMet is { } observed ? ActionPreview.PremiseNotMet(observed)
        : null;

    /// <summary>The outcome that says why the action did not run; null when it may.</summary>
    public ActionOutcome? NotRunOutcome =>
        Refused is { } refused ? ActionOutcome.Failed(refused)
        : NotApplicable is { } reason ? ActionOutcome.NotApplicable(reason)
        : NotMet is { } observed ? ActionOutcome.PremiseNotMet(observed)
        : null;
}

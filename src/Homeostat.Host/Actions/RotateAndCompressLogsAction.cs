using System.Globalization;
using System.IO.Compression;
using System.IO.Enumeration;
using System.Text.RegularExpressions;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Host.Actions;

public sealed class RotateAndCompressLogsOptions
{
    public const string Section = "Actions:RotateAndCompressLogs";

    /// <summary>The only directories (and their subdirectories) this action may touch. Empty means it refuses everything.</summary>
    public List<string> AllowedRoots { get; set; } = [];
}

/// <summary>
/// Compresses log files not written to for a while, then deletes the oldest archives beyond a count or a total size.
/// Works only inside allowlisted roots, never follows a symbolic link, and leaves the same state when run twice. It acts
/// only on a directory over its budget or on a filesystem at least <c>max_used_percent</c> full (see <see cref="DiskTargets"/>).
/// </summary>
public sealed partial class RotateAndCompressLogsAction(
    IOptionsMonitor<RotateAndCompressLogsOptions> options, TimeProvider timeProvider, IFilesystemUsage filesystems) : IRemediationAction
{
    private const string ArchiveSuffix = ".gz";
    private const UnixFileMode PermissionBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    // "mountpoint" is not here: a mountpoint names a filesystem, and the catalog's targets map says which directories on it.
    private static readonly string[] PathLabels = ["path", "directory", "dir", "log_dir"];

    private readonly DiskTargets _targets = new(filesystems);

    public ActionDescriptor Descriptor => KnownActions.RotateAndCompressLogs;

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        var selection = _targets.Select(request, PathLabels, options.CurrentValue.AllowedRoots, cancellationToken);
        if (selection.NotRunPreview is { } notRun)
        {
            return Task.FromResult(notRun);
        }

        var plans = Plans(request, selection.Directories);
        var changes = plans.SelectMany(p => p.Steps).Select(s => s.Describe()).ToList();
        var summary = changes.Count == 0
            ? $"nothing to do in {Directories(plans)}: no log older than {plans[0].CompressOlderThan} and archives within retention"
            : $"would {string.Join("; ", plans.Where(p => p.Steps.Count > 0).Select(p => $"{p.Summary()} in {p.Directory}"))}";
        return Task.FromResult(new ActionPreview(true, summary, changes) { Premise = selection.Premise });
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        // The premise is checked again here, just before anything changes: the preview's view may be stale.
        var selection = _targets.Select(request, PathLabels, options.CurrentValue.AllowedRoots, cancellationToken);
        if (selection.NotRunOutcome is { } notRun)
        {
            return notRun;
        }

        var plans = Plans(request, selection.Directories);
        var steps = plans.Sum(p => p.Steps.Count);
        if (steps == 0)
        {
            return new ActionOutcome(ActionStatus.NoChange, $"nothing to do in {Directories(plans)}: already compressed and within retention", []) { Premise = selection.Premise };
        }

        // Steps already done are reported even when a later one fails or the time limit stops the run.
        var done = new List<string>();
        var skipped = new List<string>();
        foreach (var step in plans.SelectMany(p => p.Steps))
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await step.ApplyAsync(cancellationToken) is { } why)
                {
                    skipped.Add(why);
                }
                else
                {
                    done.Add(step.Describe());
                }
            }
            catch (OperationCanceledException)
            {
                return new ActionOutcome(ActionStatus.Failed, $"stopped by the time limit after {done.Count} of {steps} steps", done) { Premise = selection.Premise };
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                return new ActionOutcome(ActionStatus.Failed, $"stopped after {done.Count} of {steps} steps: {exception.Message}", done) { Premise = selection.Premise };
            }
        }

        var summary = string.Join("; ", plans.Where(p => p.Steps.Count > 0)
            .Select(p => $"{p.Summary()} in {p.Directory}: {new ByteSize(p.BytesBefore)} of logs became {new ByteSize(p.MeasureAfter())}"));
        if (skipped.Count > 0)
        {
            summary += $"; skipped {skipped.Count}: {string.Join("; ", skipped)}";
        }

        return new ActionOutcome(done.Count == 0 ? ActionStatus.NoChange : ActionStatus.Succeeded, summary, done) { Premise = selection.Premise };
    }

    private List<Plan> Plans(ActionRequest request, IReadOnlyList<string> directories)
    {
        var parameters = request.Parameters;
        var plans = new List<Plan>();
        foreach (var directory in directories)
        {
            var plan = new Plan(
                directory,
                parameters.String("pattern") ?? "*.log*",
                parameters.Duration("compress_older_than") ?? Duration.Parse("1h"),
                (int)(parameters.Integer("keep") ?? 10),
                parameters.ByteSize("max_total_size"),
                parameters.Boolean("recursive") ?? false,
                timeProvider.GetUtcNow());
            plan.Build();
            plans.Add(plan);
        }

        return plans;
    }

    private static string Directories(List<Plan> plans) => string.Join(", ", plans.Select(p => p.Directory));

    private abstract record Step
    {
        public abstract string Describe();

        /// <summary>Applies the step; null when done, otherwise why it was left (the state changed since the plan).</summary>
        public abstract Task<string?> ApplyAsync(CancellationToken cancellationToken);
    }

    private sealed record Compress(FileInfo Source, string ArchivePath) : Step
    {
        public override string Describe() =>
            $"compress {Source.FullName} ({new ByteSize(Source.Length)}, last written {AuditTime(Source.LastWriteTimeUtc)}) -> {Path.GetFileName(ArchivePath)}";

        public override async Task<string?> ApplyAsync(CancellationToken cancellationToken)
        {
            var current = new FileInfo(Source.FullName);
            if (!current.Exists)
            {
                return $"{Source.FullName}: already gone";
            }

            var temporary = ArchivePath + TemporarySuffix;
            if (RemoveTemporary(temporary) is { } busy)
            {
                return $"{Source.FullName}: {busy}";
            }

            // The source is opened with O_NOFOLLOW, so a link swapped in after planning is refused; CreateNew (O_EXCL) never
            // follows a link, so the archive is never written through one; the archive keeps the source's permissions.
            // The archive is written under a temporary name, flushed to disk and renamed, and the rename made durable
            // before the source is deleted: a crash at any point leaves the log, or the log and a complete archive (the
            // next run compresses it again to the same name), never a truncated archive in place of the log.
            await using (var input = NoFollowFile.OpenRead(current.FullName))
            {
                if (!input.CanSeek || input.Length == 0)
                {
                    return $"{Source.FullName}: empty or not a regular file; left alone";
                }

                var output = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    output.UnixCreateMode = File.GetUnixFileMode(input.SafeFileHandle) & PermissionBits;
                }

                var archive = new FileStream(temporary, output);
                try
                {
                    await using (var gzip = new GZipStream(archive, CompressionLevel.Optimal, leaveOpen: true))
                    {
                        await input.CopyToAsync(gzip, cancellationToken);
                    }

                    archive.Flush(flushToDisk: false);
                    File.SetLastWriteTimeUtc(archive.SafeFileHandle, current.LastWriteTimeUtc);
                    archive.Flush(flushToDisk: true);
                    await archive.DisposeAsync();
                }
                catch
                {
                    await archive.DisposeAsync();
                    File.Delete(temporary);
                    throw;
                }
            }

            var directory = Path.GetDirectoryName(ArchivePath)!;
            File.Move(temporary, ArchivePath, overwrite: true);
            NoFollowFile.SyncDirectory(directory);
            File.Delete(current.FullName);
            return null;
        }
    }

    private sealed record Delete(FileInfo Archive, string Why) : Step
    {
        public override string Describe() => $"delete {Archive.FullName} ({new ByteSize(Archive.Length)}): {Why}";

        public override Task<string?> ApplyAsync(CancellationToken cancellationToken)
        {
            var current = new FileInfo(Archive.FullName);
            if (current.Exists && !SafePaths.IsLink(current))
            {
                current.Delete();
            }

            return Task.FromResult<string?>(null);
        }
    }

    /// <summary>A temporary archive a run left when it was killed mid-compression: it is removed and reported.</summary>
    private sealed record RemoveLeftover(FileInfo Temporary) : Step
    {
        public override string Describe() => $"remove {Temporary.FullName} ({new ByteSize(Temporary.Length)}): left by an interrupted run";

        public override Task<string?> ApplyAsync(CancellationToken cancellationToken) =>
            Task.FromResult(RemoveTemporary(Temporary.FullName) is { } busy ? $"{Temporary.FullName}: {busy}" : null);
    }

    /// <summary>
    /// Removes a temporary archive unless a run in progress holds it (its writer keeps an exclusive lock until it closes
    /// the file; the lock dies with a killed process). A symbolic link at that name is unlinked, never followed. Null when
    /// the name is free; otherwise why it was left.
    /// </summary>
    private static string? RemoveTemporary(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            File.Delete(path);
            return null;
        }

        if (!info.Exists)
        {
            return null;
        }

        using var held = NoFollowFile.OpenRead(path);
        if (!NoFollowFile.TryLockExclusive(held))
        {
            return $"{Path.GetFileName(path)} is being written by another run; left alone";
        }

        File.Delete(path);
        return null;
    }

    private const string TemporarySuffix = ".tmp";

    [GeneratedRegex(@"^(?<log>.+)\.\d{8}T\d{6}Z\.gz\.tmp$")]
    private static partial Regex TemporaryArchiveName();

    [GeneratedRegex(@"^(?<log>.+)\.\d{8}T\d{6}Z\.gz$")]
    private static partial Regex ArchiveName();

    private static string AuditTime(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed class Plan(string directory, string pattern, Duration compressOlderThan, int keep, ByteSize? maxTotalSize, bool recursive, DateTimeOffset now)
    {
        public string Directory { get; } = directory;

        public Duration CompressOlderThan { get; } = compressOlderThan;

        public List<Step> Steps { get; } = [];

        public long BytesBefore { get; private set; }

        public void Build()
        {
            Steps.AddRange(Leftovers().Select(t => new RemoveLeftover(t)));
            var files = Files().ToList();
            BytesBefore = files.Sum(f => f.Length);
            var cutoff = now.UtcDateTime - CompressOlderThan.Value;
            var archives = new List<(FileInfo File, long Size, DateTime Written)>();
            foreach (var file in files)
            {
                if (file.Name.EndsWith(ArchiveSuffix, StringComparison.Ordinal))
                {
                    archives.Add((file, file.Length, file.LastWriteTimeUtc));
                }
                else if (file.LastWriteTimeUtc <= cutoff && file.Length > 0)
                {
                    // An empty log is left alone: compressing it frees nothing, and gzip of nothing is not an archive.
                    var archive = Path.Combine(file.DirectoryName!, $"{file.Name}.{file.LastWriteTimeUtc:yyyyMMdd'T'HHmmss'Z'}{ArchiveSuffix}");
                    Steps.Add(new Compress(file, archive));

                    // Text logs compress well; estimate a tenth so retention by size accounts for the new archive.
                    archives.Add((new FileInfo(archive), Math.Max(1, file.Length / 10), file.LastWriteTimeUtc));
                }
            }

            var newestFirst = archives.OrderByDescending(a => a.Written).ThenByDescending(a => a.File.Name, StringComparer.Ordinal).ToList();
            long total = 0;
            for (var i = 0; i < newestFirst.Count; i++)
            {
                var (file, size, _) = newestFirst[i];
                total += size;
                string? why = null;
                if (i >= keep)
                {
                    why = $"beyond the {keep} newest archives kept";
                }
                else if (maxTotalSize is { } limit && total > limit.Bytes)
                {
                    why = $"archives exceed max_total_size {limit}";
                }

                if (why is null)
                {
                    continue;
                }

                var pending = Steps.OfType<Compress>().FirstOrDefault(c => c.ArchivePath == file.FullName);
                if (pending is not null)
                {
                    // An old log that retention would drop anyway is deleted rather than compressed first.
                    Steps.Remove(pending);
                    Steps.Add(new Delete(pending.Source, why));
                }
                else
                {
                    Steps.Add(new Delete(file, why));
                }
            }
        }

        public string Summary()
        {
            var compress = Steps.OfType<Compress>().ToList();
            var delete = Steps.OfType<Delete>().ToList();
            var parts = new List<string>();
            if (compress.Count > 0)
            {
                parts.Add($"compress {compress.Count} log file(s) ({new ByteSize(compress.Sum(c => c.Source.Length))})");
            }

            if (delete.Count > 0)
            {
                parts.Add($"delete {delete.Count} old file(s) ({new ByteSize(delete.Sum(d => d.Archive.Length))})");
            }

            var leftovers = Steps.OfType<RemoveLeftover>().ToList();
            if (leftovers.Count > 0)
            {
                parts.Add($"remove {leftovers.Count} temporary file(s) left by an interrupted run ({new ByteSize(leftovers.Sum(l => l.Temporary.Length))})");
            }

            return string.Join(" and ", parts);
        }

        public long MeasureAfter() => Files().Sum(f => f.Length);

        private bool IsLogOrArchive(string name)
        {
            if (FileSystemName.MatchesSimpleExpression(pattern, name))
            {
                return true;
            }

            // Archives this action wrote: "<log name>.<timestamp>.gz", whatever the pattern says about ".gz".
            var match = ArchiveName().Match(name);
            return match.Success && FileSystemName.MatchesSimpleExpression(pattern, match.Groups["log"].Value);
        }

        private IEnumerable<FileInfo> Files() =>
            Candidates().Where(f => !f.Name.EndsWith(TemporarySuffix, StringComparison.Ordinal) && IsLogOrArchive(f.Name));

        /// <summary>Temporary archives this action writes ("&lt;log name&gt;.&lt;timestamp&gt;.gz.tmp", of a log the pattern matches), no link.</summary>
        private IEnumerable<FileInfo> Leftovers() => Candidates().Where(f =>
            TemporaryArchiveName().Match(f.Name) is { Success: true } match && FileSystemName.MatchesSimpleExpression(pattern, match.Groups["log"].Value));

        private IEnumerable<FileInfo> Candidates()
        {
            var options = new EnumerationOptions
            {
                RecurseSubdirectories = recursive,
                AttributesToSkip = FileAttributes.ReparsePoint,
                IgnoreInaccessible = true,
                MatchType = MatchType.Simple,
            };
            return new DirectoryInfo(Directory).EnumerateFiles("*", options).Where(f => !SafePaths.IsLink(f));
        }
    }
}

using System.Globalization;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;

namespace Homeostat.Host.Probes;

/// <summary>
/// Memory in use against its limit. The path is a cgroup directory (its working set, as the kubelet counts it: v2
/// memory.current less memory.stat inactive_file against memory.max; v1 memory.usage_in_bytes less memory.stat
/// total_inactive_file against memory.limit_in_bytes) or a regular pid file (the process's VmRSS against max_bytes, else
/// against the memory limit of the process's own cgroup). Breached above max_percent of a cgroup limit (90 by default)
/// or above max_bytes; with no cgroup limit, max_bytes is the limit.
/// </summary>
public sealed class MemoryUsageProbe(ProbeOptions options, IProcessReader processes) : IProbe
{
    public const double DefaultMaxPercent = 90;

    private readonly Lock _lock = new();
    private PidBinding? _binding;

    public MemoryUsageProbe(ProbeOptions options)
        : this(options, ProcProcessReader.Instance)
    {
    }

    public ProbeOptions Options { get; } = options;

    private bool IsCgroup => Directory.Exists(Options.Path);

    public Task<ProbeReading> MeasureAsync(CancellationToken cancellationToken)
    {
        var sample = IsCgroup ? Cgroups.Read(Options.Path) : ReadProcess();
        var maxBytes = Options.MaxBytes?.Bytes;
        long limit;
        double maxPercent;
        string limitName;
        if (sample.Limit is { } cgroupLimit)
        {
            limit = cgroupLimit;
            maxPercent = Options.MaxPercent ?? DefaultMaxPercent;
            limitName = $"memory limit {new ByteSize(limit)} ({sample.LimitSource})";
        }
        else if (maxBytes is { } budget)
        {
            limit = budget;
            maxPercent = Options.MaxPercent ?? 100;
            limitName = $"max_bytes {new ByteSize(limit)}";
        }
        else
        {
            throw new InvalidOperationException($"{sample.Subject} has no memory limit ({sample.LimitSource}); set max_bytes on probe {Options.Name}");
        }

        var percent = 100.0 * sample.Usage / limit;
        var overPercent = percent > maxPercent;
        var overBytes = maxBytes is { } most && sample.Usage > most;
        var breached = overPercent || overBytes;
        var verdict = overBytes && !overPercent && sample.Limit is not null
            ? $"over max_bytes {new ByteSize(maxBytes!.Value)}"
            : $"{(breached ? "above" : "within")} the {maxPercent:0.#}% threshold";
        var detail = sample.UsageDetail is { } d ? $" ({d})" : "";
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{sample.Measure} of {sample.Subject} is {new ByteSize(sample.Usage)}{detail}, {percent:0.0}% of its {limitName}, {verdict}");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["memory_usage_bytes"] = sample.RawUsage ?? sample.Usage };
        if (sample.RawUsage is not null)
        {
            metrics["memory_working_set_bytes"] = sample.Usage;
        }

        return Task.FromResult(new ProbeReading(breached, sample.Usage, limit, description) { Metrics = metrics });
    }

    /// <summary>
    /// The signal's metrics: memory_usage_bytes (a cgroup's usage including page cache, or a process's VmRSS),
    /// memory_working_set_bytes (what was compared, when it is a cgroup's working set), the limit and their ratio.
    /// </summary>
    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id) => ProbeSignals.Create(
        Options,
        reading,
        since,
        id,
        "MemoryPressure",
        new SignalResource { Kind = IsCgroup ? "Cgroup" : "Process", Path = Options.Path, Host = Environment.MachineName },
        [ProbeSignals.Label("path", Options.Path)],
        new Dictionary<string, double>
        {
            ["memory_usage_bytes"] = reading.Value,
            ["memory_limit_bytes"] = reading.Limit,
            ["usage_ratio"] = ProbeSignals.UsageRatio(reading),
        });

    private MemorySample ReadProcess()
    {
        var pidFile = PidFile.Read(Options.Path);
        var pid = pidFile.Pid;
        EnsureNotReused(pidFile, processes.StartTicks(pid));
        var rss = processes.ResidentBytes(pid);
        var subject = $"process {pid} (pid file {Options.Path})";
        if (Options.MaxBytes is not null)
        {
            return new MemorySample(rss, null, subject, "max_bytes given");
        }

        var cgroup = Cgroups.Read(processes.CgroupDirectory(pid));
        return new MemorySample(rss, cgroup.Limit, subject, cgroup.LimitSource);
    }

    /// <summary>
    /// Refuses a pid file left behind by a process that died and whose pid now belongs to another: the file is the one
    /// read before, unchanged, but the process with its pid started at another time. A pid file read for the first time,
    /// or rewritten since, binds to the process that holds its pid now; wall-clock times are never compared, since the
    /// clock may have been stepped between writing the file and starting the process.
    /// </summary>
    private void EnsureNotReused(PidFile pidFile, long startTicks)
    {
        lock (_lock)
        {
            if (_binding is { } bound && bound.Identity == pidFile.Identity && bound.Pid == pidFile.Pid)
            {
                if (bound.StartTicks != startTicks)
                {
                    throw new InvalidOperationException(
                        $"pid file {pidFile.Path} is stale: process {pidFile.Pid} it names has exited and that pid now belongs to another process; waiting for the pid file to be rewritten");
                }

                return;
            }

            _binding = new PidBinding(pidFile.Identity, pidFile.Pid, startTicks);
        }
    }

    private sealed record PidBinding(PidFileIdentity Identity, int Pid, long StartTicks);
}

/// <summary>What the memory probe reads about a process: /proc on Linux, a fake in tests.</summary>
public interface IProcessReader
{
    /// <summary>When the process started, in clock ticks after boot (field 22 of /proc/&lt;pid&gt;/stat); throws when it is not running.</summary>
    long StartTicks(int pid);

    /// <summary>VmRSS in bytes; throws when the process is not running.</summary>
    long ResidentBytes(int pid);

    /// <summary>The directory of the process's memory cgroup.</summary>
    string CgroupDirectory(int pid);
}

/// <summary>Processes as /proc shows them.</summary>
public sealed class ProcProcessReader : IProcessReader
{
    public static ProcProcessReader Instance { get; } = new();

    public long StartTicks(int pid) => ProcessMemory.StartTicks(pid);

    public long ResidentBytes(int pid) => ProcessMemory.ResidentBytes(pid);

    public string CgroupDirectory(int pid) => Cgroups.DirectoryOf(pid);
}

/// <summary>Memory in use, the limit when there is one (null: unlimited), what was measured and where the limit came from.</summary>
public sealed record MemorySample(long Usage, long? Limit, string Subject, string LimitSource)
{
    /// <summary>What Usage counts, for the description: "memory usage", or "memory working set" of a cgroup.</summary>
    public string Measure { get; init; } = "memory usage";

    /// <summary>How Usage was arrived at, when that needs saying.</summary>
    public string? UsageDetail { get; init; }

    /// <summary>A cgroup's usage including page cache, when Usage is its working set.</summary>
    public long? RawUsage { get; init; }
}

/// <summary>A process's resident memory and its pid file, read strictly.</summary>
public static class ProcessMemory
{
    /// <summary>The pid in a pid file: one positive decimal integer, optionally followed by a newline; anything else is refused.</summary>
    public static int ReadPidFile(string path) => PidFile.Read(path).Pid;

    /// <summary>
    /// When a process started, in clock ticks after boot: field 22 of /proc/&lt;pid&gt;/stat. With the pid it tells one
    /// process from a later one given the same pid, whatever the wall clock did.
    /// </summary>
    public static long StartTicks(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"process {pid} is not running", exception);
        }

        // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int StartTimeAfterName = 22 - 3;
        if (fields.Length <= StartTimeAfterName
            || !long.TryParse(fields[StartTimeAfterName], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            throw new InvalidDataException($"process {pid}: /proc/{pid}/stat has no start time");
        }

        return ticks;
    }

    /// <summary>VmRSS from /proc/&lt;pid&gt;/status, in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"process {pid} is not running", exception);
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var parts = line["VmRSS:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts is [var number, "kB"] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kibibytes))
                {
                    return kibibytes * 1024;
                }

                throw new InvalidDataException($"process {pid}: unexpected VmRSS line '{line}'");
            }
        }

        throw new InvalidOperationException($"process {pid} has no resident memory (a kernel thread?)");
    }
}

/// <summary>cgroup memory files, v2 and v1, and the cgroup a process belongs to.</summary>
public static class Cgroups
{
    /// <summary>cgroup v1 reports "no limit" as a page-rounded LONG_MAX; anything this large is no limit.</summary>
    private const long UnlimitedFrom = 1L << 60;

    public static MemorySample Read(string directory)
    {
        var v2 = Path.Combine(directory, "memory.current");
        if (File.Exists(v2))
        {
            var max = ReadValue(Path.Combine(directory, "memory.max"));
            var sample = new MemorySample(
                ParseBytes(ReadValue(v2), v2),
                max == "max" ? null : ParseBytes(max, Path.Combine(directory, "memory.max")),
                $"cgroup {directory}",
                max == "max" ? "memory.max is 'max'" : "memory.max");
            return WorkingSet(sample, directory, "memory.current", "inactive_file");
        }

        var v1 = Path.Combine(directory, "memory.usage_in_bytes");
        if (File.Exists(v1))
        {
            var limitFile = Path.Combine(directory, "memory.limit_in_bytes");
            var limit = ParseBytes(ReadValue(limitFile), limitFile);
            var sample = new MemorySample(
                ParseBytes(ReadValue(v1), v1),
                limit >= UnlimitedFrom ? null : limit,
                $"cgroup {directory}",
                limit >= UnlimitedFrom ? "memory.limit_in_bytes is unlimited" : "memory.limit_in_bytes");
            return WorkingSet(sample, directory, "memory.usage_in_bytes", "total_inactive_file");
        }

        throw new InvalidOperationException($"{directory} has neither memory.current (cgroup v2) nor memory.usage_in_bytes (cgroup v1 memory controller)");
    }

    /// <summary>
    /// The memory cgroup directory of a process: its /proc/&lt;pid&gt;/cgroup entry (v2 first, then the v1 memory
    /// controller) mapped through /proc/self/mountinfo onto where that hierarchy is mounted here.
    /// </summary>
    public static string DirectoryOf(int pid)
    {
        var entries = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup");
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(MountLine.Parse).OfType<MountLine>().ToList();
        var candidates = new List<string>();
        foreach (var entry in entries)
        {
            var parts = entry.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var v2 = parts[0] == "0" && parts[1].Length == 0;
            var v1Memory = parts[1].Split(',').Contains("memory");
            foreach (var mount in mounts.Where(m => v2 ? m.FilesystemType == "cgroup2" : v1Memory && m.FilesystemType == "cgroup" && m.Options.Contains("memory")))
            {
                if (Resolve(mount, parts[2]) is { } directory)
                {
                    candidates.Add(directory);
                }
            }
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "memory.current")) || File.Exists(Path.Combine(d, "memory.usage_in_bytes")))
            ?? throw new InvalidOperationException($"found no memory cgroup for process {pid}; set max_bytes");
    }

    /// <summary>The directory under the mount for a cgroup path, or null when the path is not inside the mount.</summary>
    internal static string? Resolve(MountLine mount, string cgroupPath)
    {
        if (!cgroupPath.StartsWith('/') || cgroupPath.Split('/').Any(s => s is ".." or "."))
        {
            return null;
        }

        var root = mount.Root.TrimEnd('/');
        if (root.Length > 0 && cgroupPath != root && !cgroupPath.StartsWith(root + "/", StringComparison.Ordinal))
        {
            return null;
        }

        var relative = cgroupPath[root.Length..].TrimStart('/');
        var directory = Path.GetFullPath(Path.Combine(mount.MountPoint, relative));
        var bound = mount.MountPoint.TrimEnd('/') + "/";
        return directory == mount.MountPoint || directory.StartsWith(bound, StringComparison.Ordinal) ? directory : null;
    }

    /// <summary>
    /// Usage less the inactive file cache the kernel reclaims before it runs out of memory, as the kubelet and cAdvisor
    /// count a container's working set; the raw usage, said so, when memory.stat cannot tell.
    /// </summary>
    private static MemorySample WorkingSet(MemorySample sample, string directory, string usageFile, string inactiveKey)
    {
        var statFile = Path.Combine(directory, "memory.stat");
        string? problem;
        long inactive = 0;
        try
        {
            var line = File.ReadLines(statFile).FirstOrDefault(l => l.StartsWith(inactiveKey + " ", StringComparison.Ordinal));
            problem = line is null ? $"memory.stat has no {inactiveKey}"
                : long.TryParse(line[(inactiveKey.Length + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out inactive) ? null
                : $"memory.stat has an unreadable {inactiveKey}";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problem = exception is FileNotFoundException ? "memory.stat is missing" : $"memory.stat is unreadable: {exception.Message}";
        }

        if (problem is not null)
        {
            return sample with { UsageDetail = $"{usageFile}, page cache included: {problem}" };
        }

        return sample with
        {
            Usage = Math.Max(0, sample.Usage - inactive),
            RawUsage = sample.Usage,
            Measure = "memory working set",
            UsageDetail = $"{usageFile} {new ByteSize(sample.Usage)} less {inactiveKey} {new ByteSize(inactive)}",
        };
    }

    private static string ReadValue(string file) => File.ReadAllText(file).Trim();

    private static long ParseBytes(string text, string file) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{file} does not hold a byte count");

    /// <summary>One line of /proc/self/mountinfo: the mounted root of the filesystem, where it is mounted, its type and super options.</summary>
    internal sealed record MountLine(string Root, string MountPoint, string FilesystemType, string[] Options)
    {
        public static MountLine? Parse(string line)
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 5 || fields.Length < separator + 4)
            {
                return null;
            }

            return new MountLine(Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1], fields[separator + 3].Split(','));
        }

        // mountinfo escapes space, tab, newline and backslash as \ooo.
        private static string Unescape(string field) =>
            System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
    }
}

using System.Globalization;
using Homeostat.Primitives;
using Homeostat.Signals;

namespace Homeostat.Probes;

/// <summary>
/// Memory in use against its limit. The path is a cgroup directory (v2: memory.current against memory.max; v1:
/// memory.usage_in_bytes against memory.limit_in_bytes) or a pid file (the process's VmRSS against max_bytes, else
/// against the memory limit of the process's own cgroup). Breached above max_percent of a cgroup limit (90 by default)
/// or above max_bytes; with no cgroup limit, max_bytes is the limit.
/// </summary>
public sealed class MemoryUsageProbe(ProbeOptions options) : IProbe
{
    public const double DefaultMaxPercent = 90;

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
        var description = string.Create(CultureInfo.InvariantCulture,
            $"memory usage of {sample.Subject} is {new ByteSize(sample.Usage)}, {percent:0.0}% of its {limitName}, {verdict}");
        return Task.FromResult(new ProbeReading(breached, sample.Usage, limit, description));
    }

    public Signal ToSignal(ProbeReading reading, DateTimeOffset since, string id)
    {
        var labels = new Dictionary<string, string>(Options.Labels, StringComparer.Ordinal)
        {
            ["probe"] = Options.Name,
            ["path"] = Options.Path,
        };
        labels.TryAdd("severity", "warning");
        return new Signal
        {
            Id = id,
            Source = SignalSources.Probe,
            Service = Options.Service,
            Resource = new SignalResource { Kind = IsCgroup ? "Cgroup" : "Process", Path = Options.Path, Host = Environment.MachineName },
            Title = "MemoryPressure",
            Text = reading.Description,
            Labels = labels,
            Metrics = new Dictionary<string, double>
            {
                ["memory_usage_bytes"] = reading.Value,
                ["memory_limit_bytes"] = reading.Limit,
                ["usage_ratio"] = reading.Limit > 0 ? Math.Round(reading.Value / reading.Limit, 4) : 0,
            },
            Status = reading.Breached ? SignalStatus.Firing : SignalStatus.Resolved,
            StartsAt = since,
        };
    }

    private MemorySample ReadProcess()
    {
        var pid = ProcessMemory.ReadPidFile(Options.Path);
        var rss = ProcessMemory.ResidentBytes(pid);
        var subject = $"process {pid} (pid file {Options.Path})";
        if (Options.MaxBytes is not null)
        {
            return new MemorySample(rss, null, subject, "max_bytes given");
        }

        var cgroup = Cgroups.Read(Cgroups.DirectoryOf(pid));
        return cgroup with { Usage = rss, Subject = subject };
    }
}

/// <summary>Memory in use, the limit when there is one (null: unlimited), what was measured and where the limit came from.</summary>
public sealed record MemorySample(long Usage, long? Limit, string Subject, string LimitSource);

/// <summary>A process's resident memory and its pid file, read strictly.</summary>
public static class ProcessMemory
{
    private const int MaxPidFileBytes = 64;

    /// <summary>The pid in a pid file: one positive decimal integer, optionally followed by a newline; anything else is refused.</summary>
    public static int ReadPidFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[MaxPidFileBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > MaxPidFileBytes)
        {
            throw new InvalidDataException($"pid file {path} is longer than {MaxPidFileBytes} bytes; not a pid file");
        }

        var text = System.Text.Encoding.ASCII.GetString(buffer, 0, length).TrimEnd('\n', '\r', ' ', '\t');
        if (text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit) || text[0] == '0'
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            throw new InvalidDataException($"pid file {path} does not hold a positive process id");
        }

        return pid;
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
            return new MemorySample(
                ParseBytes(ReadValue(v2), v2),
                max == "max" ? null : ParseBytes(max, Path.Combine(directory, "memory.max")),
                $"cgroup {directory}",
                max == "max" ? "memory.max is 'max'" : "memory.max");
        }

        var v1 = Path.Combine(directory, "memory.usage_in_bytes");
        if (File.Exists(v1))
        {
            var limitFile = Path.Combine(directory, "memory.limit_in_bytes");
            var limit = ParseBytes(ReadValue(limitFile), limitFile);
            return new MemorySample(
                ParseBytes(ReadValue(v1), v1),
                limit >= UnlimitedFrom ? null : limit,
                $"cgroup {directory}",
                limit >= UnlimitedFrom ? "memory.limit_in_bytes is unlimited" : "memory.limit_in_bytes");
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

using System.Diagnostics;
using Homeostat.Host.Probes;
using Homeostat.Primitives;
using Homeostat.Probes;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Host.Tests.Probes;

/// <summary>The memory probe against cgroup directories written by the test, real processes and this machine's cgroup.</summary>
public sealed class MemoryUsageProbeTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-mem-" + Guid.NewGuid().ToString("N"));
    private Process? _child;

    public MemoryUsageProbeTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task CgroupV2_NearItsLimit_BreachesAboveMaxPercentAndClassifiesAsOom()
    {
        Write("memory.current", $"{960 * MiB}\n");
        Write("memory.max", $"{1024 * MiB}\n");
        Write("memory.stat", $"anon {940 * MiB}\nfile {20 * MiB}\nactive_file {10 * MiB}\ninactive_file {10 * MiB}\n");

        var probe = new MemoryUsageProbe(Options(_directory));
        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, PipelineHarness.Start, "s1");

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldBe($"memory working set of cgroup {_directory} is 950Mi (memory.current 960Mi less inactive_file 10Mi), 92.8% of its memory limit 1Gi (memory.max), above the 90% threshold");
        signal.Status.ShouldBe(SignalStatus.Firing);
        signal.Resource!.Kind.ShouldBe("Cgroup");
        signal.Metrics["memory_limit_bytes"].ShouldBe(1024 * MiB);
        signal.Metrics["memory_working_set_bytes"].ShouldBe(950 * MiB);
        signal.Metrics["memory_usage_bytes"].ShouldBe(960 * MiB);
        CertificateExpiryProbeTests.Classify(signal).ShouldBe("oom");
    }

    [Fact]
    public async Task CgroupV2_FullOfReclaimablePageCache_IsNoPressure()
    {
        Write("memory.current", $"{1000 * MiB}\n");
        Write("memory.max", $"{1024 * MiB}\n");
        Write("memory.stat", $"anon {300 * MiB}\nfile {700 * MiB}\nactive_file {100 * MiB}\ninactive_file {600 * MiB}\n");

        var probe = new MemoryUsageProbe(Options(_directory));
        var reading = await probe.MeasureAsync(CancellationToken.None);
        var signal = probe.ToSignal(reading, PipelineHarness.Start, "s1");

        reading.Breached.ShouldBeFalse(reading.Description);
        reading.Value.ShouldBe(400 * MiB);
        reading.Description.ShouldBe($"memory working set of cgroup {_directory} is 400Mi (memory.current 1000Mi less inactive_file 600Mi), 39.1% of its memory limit 1Gi (memory.max), within the 90% threshold");
        signal.Status.ShouldBe(SignalStatus.Resolved);
        signal.Metrics["memory_working_set_bytes"].ShouldBe(400 * MiB);
        signal.Metrics["memory_usage_bytes"].ShouldBe(1000 * MiB);
    }

    [Fact]
    public async Task CgroupV1_WorkingSetSubtractsTheHierarchicalTotalInactiveFile()
    {
        Write("memory.usage_in_bytes", $"{300 * MiB}\n");
        Write("memory.limit_in_bytes", $"{256 * MiB}\n");
        Write("memory.stat", $"cache {150 * MiB}\ninactive_file {10 * MiB}\ntotal_cache {150 * MiB}\ntotal_inactive_file {100 * MiB}\n");

        var reading = await new MemoryUsageProbe(Options(_directory)).MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBeFalse(reading.Description);
        reading.Value.ShouldBe(200 * MiB);
        reading.Description.ShouldBe($"memory working set of cgroup {_directory} is 200Mi (memory.usage_in_bytes 300Mi less total_inactive_file 100Mi), 78.1% of its memory limit 256Mi (memory.limit_in_bytes), within the 90% threshold");
    }

    [Fact]
    public async Task Cgroup_MoreInactiveFileThanUsage_FloorsTheWorkingSetAtZero()
    {
        Write("memory.current", $"{100 * MiB}\n");
        Write("memory.max", $"{1024 * MiB}\n");
        Write("memory.stat", $"inactive_file {120 * MiB}\n");

        var reading = await new MemoryUsageProbe(Options(_directory)).MeasureAsync(CancellationToken.None);

        reading.Value.ShouldBe(0);
        reading.Breached.ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, "memory.stat is missing")]
    [InlineData("anon 1048576\nfile 0\n", "memory.stat has no inactive_file")]
    [InlineData("inactive_file lots\n", "memory.stat has an unreadable inactive_file")]
    [InlineData("<directory>", "memory.stat is unreadable: ")]
    public async Task Cgroup_WithoutAUsableMemoryStat_FallsBackToTheRawUsageAndSaysSo(string? stat, string problem)
    {
        Write("memory.current", $"{950 * MiB}\n");
        Write("memory.max", $"{1024 * MiB}\n");
        if (stat == "<directory>")
        {
            Directory.CreateDirectory(Path.Combine(_directory, "memory.stat"));
        }
        else if (stat is not null)
        {
            Write("memory.stat", stat);
        }

        var probe = new MemoryUsageProbe(Options(_directory));
        var reading = await probe.MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBeTrue();
        reading.Value.ShouldBe(950 * MiB);
        reading.Description.ShouldStartWith($"memory usage of cgroup {_directory} is 950Mi (memory.current, page cache included: {problem}");
        reading.Description.ShouldEndWith("92.8% of its memory limit 1Gi (memory.max), above the 90% threshold");
        probe.ToSignal(reading, PipelineHarness.Start, "s1").Metrics.ShouldNotContainKey("memory_working_set_bytes");
    }

    [Fact]
    public async Task CgroupV2_WithinMaxPercent_IsNotBreached_AndItsResolvedSignalSaysSo()
    {
        Write("memory.current", $"{512 * MiB}\n");
        Write("memory.max", $"{1024 * MiB}\n");

        var probe = new MemoryUsageProbe(Options(_directory, maxPercent: 60));
        var reading = await probe.MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBeFalse();
        reading.Description.ShouldEndWith("50.0% of its memory limit 1Gi (memory.max), within the 60% threshold");
        probe.ToSignal(reading, PipelineHarness.Start, "s2").Status.ShouldBe(SignalStatus.Resolved);
    }

    [Fact]
    public async Task CgroupV2_Unlimited_NeedsMaxBytes_AndIsThenMeasuredAgainstIt()
    {
        Write("memory.current", $"{600 * MiB}\n");
        Write("memory.max", "max\n");

        var unlimited = await Should.ThrowAsync<InvalidOperationException>(() => new MemoryUsageProbe(Options(_directory)).MeasureAsync(CancellationToken.None));
        var budgeted = await new MemoryUsageProbe(Options(_directory, maxBytes: "512Mi")).MeasureAsync(CancellationToken.None);

        unlimited.Message.ShouldBe($"cgroup {_directory} has no memory limit (memory.max is 'max'); set max_bytes on probe app-memory");
        budgeted.Breached.ShouldBeTrue();
        budgeted.Description.ShouldEndWith("117.2% of its max_bytes 512Mi, above the 100% threshold");
    }

    [Fact]
    public async Task CgroupV2_WithALimitAndMaxBytes_BreachesOverMaxBytesEvenWithinMaxPercent()
    {
        Write("memory.current", $"{600 * MiB}\n");
        Write("memory.max", $"{2048 * MiB}\n");

        var reading = await new MemoryUsageProbe(Options(_directory, maxBytes: "512Mi")).MeasureAsync(CancellationToken.None);

        reading.Breached.ShouldBeTrue();
        reading.Description.ShouldEndWith("29.3% of its memory limit 2Gi (memory.max), over max_bytes 512Mi");
    }

    [Fact]
    public async Task CgroupV1_UsageAgainstLimitInBytes_AndUnlimitedFallsBackToMaxBytes()
    {
        Write("memory.usage_in_bytes", $"{300 * MiB}\n");
        Write("memory.limit_in_bytes", $"{256 * MiB}\n");

        var limited = await new MemoryUsageProbe(Options(_directory)).MeasureAsync(CancellationToken.None);
        Write("memory.limit_in_bytes", "9223372036854771712\n");
        var unlimited = await new MemoryUsageProbe(Options(_directory, maxBytes: "1Gi")).MeasureAsync(CancellationToken.None);

        limited.Breached.ShouldBeTrue();
        limited.Description.ShouldContain("117.2% of its memory limit 256Mi (memory.limit_in_bytes)");
        unlimited.Breached.ShouldBeFalse();
        unlimited.Limit.ShouldBe(1024 * MiB);
    }

    [Fact]
    public async Task ADirectoryThatIsNoCgroup_FailsToMeasure()
    {
        var error = await Should.ThrowAsync<InvalidOperationException>(() => new MemoryUsageProbe(Options(_directory, maxBytes: "1Gi")).MeasureAsync(CancellationToken.None));

        error.Message.ShouldContain("neither memory.current (cgroup v2) nor memory.usage_in_bytes");
    }

    [Fact]
    public async Task Process_ByPidFile_ResidentMemoryAgainstMaxBytes()
    {
        var pidFile = StartSleeper();

        var roomy = await new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi")).MeasureAsync(CancellationToken.None);
        var tight = new MemoryUsageProbe(Options(pidFile, maxBytes: "4Ki"));
        var breached = await tight.MeasureAsync(CancellationToken.None);

        roomy.Value.ShouldBeGreaterThan(0);
        roomy.Value.ShouldBeLessThan(64 * MiB);
        roomy.Breached.ShouldBeFalse();
        roomy.Description.ShouldStartWith($"memory usage of process {_child!.Id} (pid file {pidFile}) is ");
        breached.Breached.ShouldBeTrue();
        tight.ToSignal(breached, PipelineHarness.Start, "s3").Resource!.Kind.ShouldBe("Process");
    }

    [Fact]
    public async Task Process_OfThisTestRun_MatchesItsOwnVmRss()
    {
        var pidFile = Write("self.pid", $"{Environment.ProcessId}\n");

        var reading = await new MemoryUsageProbe(Options(pidFile, maxBytes: "64Gi")).MeasureAsync(CancellationToken.None);

        reading.Value.ShouldBeGreaterThan(10 * MiB);
        reading.Value.ShouldBe(Environment.WorkingSet, tolerance: 256 * MiB);
    }

    [SkippableFact]
    public async Task Process_WithoutMaxBytes_IsMeasuredAgainstItsOwnCgroupLimitWhenItHasOne()
    {
        var pidFile = Write("self.pid", $"{Environment.ProcessId}\n");
        MemorySample? cgroup = null;
        try
        {
            cgroup = Cgroups.Read(Cgroups.DirectoryOf(Environment.ProcessId));
        }
        catch (InvalidOperationException)
        {
        }

        if (cgroup is null)
        {
            throw new SkipException("this machine has no memory cgroup for the test process");
        }

        var probe = new MemoryUsageProbe(Options(pidFile));
        if (cgroup.Limit is null)
        {
            await Should.ThrowAsync<InvalidOperationException>(() => probe.MeasureAsync(CancellationToken.None));
            return;
        }

        var reading = await probe.MeasureAsync(CancellationToken.None);
        reading.Limit.ShouldBe(cgroup.Limit.Value);
    }

    [SkippableFact]
    public async Task ThisMachinesCgroupV2_WhenPresent_ReportsPlausibleUsage()
    {
        Skip.IfNot(File.Exists("/sys/fs/cgroup/memory.current"), "no cgroup v2 (non-root) view on this machine");

        var reading = await new MemoryUsageProbe(Options("/sys/fs/cgroup", maxBytes: "1024Ti", maxPercent: 100)).MeasureAsync(CancellationToken.None);

        reading.Value.ShouldBeGreaterThan(MiB);
        reading.Breached.ShouldBeFalse(reading.Description);
    }

    [SkippableFact]
    public async Task ThisMachinesCgroupV1MemoryController_WhenPresent_ReportsPlausibleUsage()
    {
        Skip.IfNot(File.Exists("/sys/fs/cgroup/memory/memory.usage_in_bytes"), "no cgroup v1 memory controller mounted on this machine");

        var reading = await new MemoryUsageProbe(Options("/sys/fs/cgroup/memory", maxBytes: "1024Ti", maxPercent: 100)).MeasureAsync(CancellationToken.None);

        reading.Value.ShouldBeGreaterThan(MiB);
        reading.Breached.ShouldBeFalse(reading.Description);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0\n")]
    [InlineData("-12\n")]
    [InlineData("012\n")]
    [InlineData(" 12\n")]
    [InlineData("12 13\n")]
    [InlineData("12abc")]
    [InlineData("99999999999\n")]
    [InlineData("../../etc/passwd")]
    public void PidFile_AnythingButOnePositiveInteger_IsRefused(string content)
    {
        var pidFile = Write("bad.pid", content);

        Should.Throw<InvalidDataException>(() => ProcessMemory.ReadPidFile(pidFile)).Message.ShouldContain("pid file");
    }

    [Fact]
    public void PidFile_TooLong_IsRefusedWithoutReadingItAll()
    {
        var pidFile = Write("huge.pid", new string('1', 100_000));

        Should.Throw<InvalidDataException>(() => ProcessMemory.ReadPidFile(pidFile)).Message.ShouldContain("longer than 64 bytes");
    }

    [Fact]
    public async Task PidFile_ThatIsAFifo_IsRefusedWithoutWaitingForAWriter()
    {
        var fifo = MakeFifo("fifo.pid");

        var error = await Should.ThrowAsync<InvalidDataException>(
            Task.Run(() => ProcessMemory.ReadPidFile(fifo)).WaitAsync(TimeSpan.FromSeconds(10)));

        error.Message.ShouldBe($"pid file {fifo} is a FIFO, not a regular file; refused");
    }

    [Fact]
    public async Task PidFile_SymlinkedToAFifo_IsRefused_ToARegularFile_IsFollowed()
    {
        var fifoLink = Path.Combine(_directory, "fifo-link.pid");
        File.CreateSymbolicLink(fifoLink, MakeFifo("fifo.pid"));
        var regularLink = Path.Combine(_directory, "link.pid");
        File.CreateSymbolicLink(regularLink, Write("real.pid", "4242\n"));

        var error = await Should.ThrowAsync<InvalidDataException>(
            Task.Run(() => ProcessMemory.ReadPidFile(fifoLink)).WaitAsync(TimeSpan.FromSeconds(10)));

        error.Message.ShouldContain("is a FIFO, not a regular file");
        ProcessMemory.ReadPidFile(regularLink).ShouldBe(4242);
    }

    [Theory]
    [InlineData("/dev/null", "a character device")]
    [InlineData("/", "a directory")]
    public void PidFile_ThatIsNoRegularFile_IsRefused(string path, string what)
    {
        Should.Throw<InvalidDataException>(() => ProcessMemory.ReadPidFile(path)).Message.ShouldBe($"pid file {path} is {what}, not a regular file; refused");
    }

    [Fact]
    public async Task PidFile_OlderThanItsProcess_AsAfterAClockStep_IsAcceptedOnFirstRead()
    {
        // A wall clock stepped forward after the pid file was written makes the process look started after the write.
        var pidFile = StartSleeper();
        File.SetLastWriteTimeUtc(pidFile, _child!.StartTime.ToUniversalTime() - TimeSpan.FromMinutes(1));
        var probe = new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi"));

        var first = await probe.MeasureAsync(CancellationToken.None);
        var again = await probe.MeasureAsync(CancellationToken.None);

        first.Description.ShouldStartWith($"memory usage of process {_child.Id} (pid file {pidFile}) is ");
        again.Value.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task PidFile_Unchanged_WhileItsPidNowBelongsToAnotherProcess_IsRefusedAsStale_UntilRewritten()
    {
        var pidFile = Write("app.pid", "4242\n");
        var processes = new FakeProcesses { [4242] = 1000 };
        var probe = new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi"), processes);

        var before = await probe.MeasureAsync(CancellationToken.None);
        processes[4242] = 5000;
        var reused = await Should.ThrowAsync<InvalidOperationException>(() => probe.MeasureAsync(CancellationToken.None));
        var stillReused = await Should.ThrowAsync<InvalidOperationException>(() => probe.MeasureAsync(CancellationToken.None));
        // Rewritten as daemons do, through a new file renamed over the old one: another inode.
        File.Move(Write("app.pid.new", "4242\n"), pidFile, overwrite: true);
        var rewritten = await probe.MeasureAsync(CancellationToken.None);

        before.Value.ShouldBe(FakeProcesses.Resident);
        reused.Message.ShouldBe($"pid file {pidFile} is stale: process 4242 it names has exited and that pid now belongs to another process; waiting for the pid file to be rewritten");
        stillReused.Message.ShouldBe(reused.Message);
        rewritten.Value.ShouldBe(FakeProcesses.Resident);
    }

    [Fact]
    public async Task PidFile_Unchanged_ItsProcessStillTheSame_IsMeasuredEveryTime()
    {
        var pidFile = Write("app.pid", "4242\n");
        var probe = new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi"), new FakeProcesses { [4242] = 1000 });

        for (var i = 0; i < 3; i++)
        {
            (await probe.MeasureAsync(CancellationToken.None)).Value.ShouldBe(FakeProcesses.Resident);
        }
    }

    [Fact]
    public async Task PidFile_WhosePidIsGone_FailsToMeasure()
    {
        var pidFile = Write("app.pid", "4242\n");
        var processes = new FakeProcesses { [4242] = 1000 };
        var probe = new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi"), processes);

        await probe.MeasureAsync(CancellationToken.None);
        processes.Remove(4242);
        var error = await Should.ThrowAsync<InvalidOperationException>(() => probe.MeasureAsync(CancellationToken.None));

        error.Message.ShouldBe("process 4242 is not running");
    }

    [Fact]
    public async Task ProcessStartTicks_FromProcStat_AreStableForAProcessAndLaterForALaterOne()
    {
        var mine = ProcessMemory.StartTicks(Environment.ProcessId);
        StartSleeper();

        ProcessMemory.StartTicks(Environment.ProcessId).ShouldBe(mine);
        ProcessMemory.StartTicks(_child!.Id).ShouldBeGreaterThanOrEqualTo(mine);
        _child.Kill();
        await _child.WaitForExitAsync();
        Should.Throw<InvalidOperationException>(() => ProcessMemory.StartTicks(_child.Id)).Message.ShouldBe($"process {_child.Id} is not running");
    }

    [Fact]
    public async Task Process_NotRunning_FailsToMeasure()
    {
        var pidFile = StartSleeper();
        _child!.Kill();
        await _child.WaitForExitAsync();

        var error = await Should.ThrowAsync<InvalidOperationException>(() => new MemoryUsageProbe(Options(pidFile, maxBytes: "1Gi")).MeasureAsync(CancellationToken.None));

        error.Message.ShouldBe($"process {_child.Id} is not running");
    }

    [Theory]
    [InlineData("/", "/system.slice/nginx.service", "/sys/fs/cgroup", "/sys/fs/cgroup/system.slice/nginx.service")]
    [InlineData("/docker/abc", "/docker/abc", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory")]
    [InlineData("/docker/abc", "/docker/abc/app", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/app")]
    [InlineData("/docker/abc", "/docker/other", "/sys/fs/cgroup/memory", null)]
    [InlineData("/", "/../../etc", "/sys/fs/cgroup", null)]
    [InlineData("/", "relative", "/sys/fs/cgroup", null)]
    public void CgroupPaths_MapOntoTheirMountAndNeverOutsideIt(string root, string cgroupPath, string mountPoint, string? expected)
    {
        Cgroups.Resolve(new Cgroups.MountLine(root, mountPoint, "cgroup2", []), cgroupPath).ShouldBe(expected);
    }

    [Fact]
    public void Validator_ReportsRelativePathsAndZeroMaxBytes_WithTheProbesName()
    {
        var result = new Homeostat.Configuration.ProbesOptionsValidator(BuiltInProbeKinds.Create(TimeProvider.System)).Validate(null, new ProbesOptions
        {
            Items =
            [
                new ProbeOptions { Name = "nginx", Kind = ProbeKinds.MemoryUsage, Path = "run/nginx.pid", Service = "web" },
                new ProbeOptions { Name = "zero", Kind = ProbeKinds.MemoryUsage, Path = "/run/x.pid", MaxBytes = new ByteSize(0), Service = "web" },
                new ProbeOptions { Name = "inodes", Kind = ProbeKinds.FilesystemInodes, Path = "/", MaxBytes = ByteSize.Parse("1Gi"), Service = "node" },
                new ProbeOptions { Name = "ok", Kind = ProbeKinds.MemoryUsage, Path = "/sys/fs/cgroup/system.slice/nginx.service", Service = "web" },
            ],
        });

        result.Failures.ShouldBe(
        [
            "probes[0] (nginx): path 'run/nginx.pid' must be absolute (or relative to the config file)",
            "probes[1] (zero): max_bytes must be more than zero (got 0)",
            "probes[2] (inodes): max_bytes does not apply to a filesystem_inodes probe (use max_percent)",
        ]);
    }

    public void Dispose()
    {
        if (_child is { HasExited: false })
        {
            _child.Kill();
            _child.WaitForExit();
        }

        _child?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string StartSleeper()
    {
        var start = new ProcessStartInfo("sleep") { UseShellExecute = false };
        start.ArgumentList.Add("30");
        _child = Process.Start(start)!;
        return Write("sleeper.pid", $"{_child.Id}\n");
    }

    private string MakeFifo(string name)
    {
        var path = Path.Combine(_directory, name);
        var start = new ProcessStartInfo("mkfifo") { UseShellExecute = false };
        start.ArgumentList.Add(path);
        using var mkfifo = Process.Start(start)!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
        return path;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Processes by pid with their start ticks; every one has the same resident memory.</summary>
    private sealed class FakeProcesses : Dictionary<int, long>, IProcessReader
    {
        public const long Resident = 100 * MiB;

        public long StartTicks(int pid) => TryGetValue(pid, out var ticks) ? ticks : throw new InvalidOperationException($"process {pid} is not running");

        public long ResidentBytes(int pid) => ContainsKey(pid) ? Resident : throw new InvalidOperationException($"process {pid} is not running");

        public string CgroupDirectory(int pid) => throw new InvalidOperationException("no cgroup in this test");
    }

    private static ProbeOptions Options(string path, string? maxBytes = null, double? maxPercent = null) => new()
    {
        Name = "app-memory",
        Kind = ProbeKinds.MemoryUsage,
        Path = path,
        MaxBytes = maxBytes is null ? null : ByteSize.Parse(maxBytes),
        MaxPercent = maxPercent,
        Service = "app",
    };
}

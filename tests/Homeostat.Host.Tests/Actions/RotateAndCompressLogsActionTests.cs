using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Homeostat.Catalog;
using Homeostat.Host.Actions;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Host.Tests.Actions;

public sealed class RotateAndCompressLogsActionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 23, 50, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    // Full enough that the premise holds: these tests are about what the action does once it acts.
    private readonly FixedFilesystemUsage _filesystem = new(95);
    private readonly string _sandbox;
    private readonly string _root;
    private readonly string _outside;

    public RotateAndCompressLogsActionTests()
    {
        _sandbox = SafePaths.RealPath(Path.Combine(Path.GetTempPath(), $"homeostat-rotate-{Guid.NewGuid():N}"));
        _root = Path.Combine(_sandbox, "logs");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private RotateAndCompressLogsAction NewAction(params string[] roots) =>
        new(new StaticOptionsMonitor<RotateAndCompressLogsOptions>(new RotateAndCompressLogsOptions { AllowedRoots = [.. roots] }), _time, _filesystem);

    private RotateAndCompressLogsAction NewAction() => NewAction(_root);

    private static RemediationSpec Spec(string parameters = "")
    {
        var loader = new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))));
        var yaml = $"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                auto: true
                params: {(parameters.Length == 0 ? "{}" : $"{{ {parameters} }}")}
            """;
        var result = loader.Load(yaml, "test.yaml");
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        return result.Catalog!.Find("disk_full")!;
    }

    private static ActionRequest Request(string? path, string parameters = "") => Request(path is null ? [] : new Dictionary<string, string> { ["path"] = path }, parameters);

    private static ActionRequest Request(Dictionary<string, string> labels, string parameters = "") => new(
        "inc-1",
        new Signal { Id = "sig-1", Source = SignalSources.Probe, Title = "DiskAlmostFull", Labels = labels },
        Spec(parameters));

    private string WriteFile(string name, string content, TimeSpan age, string? directory = null)
    {
        var path = Path.Combine(directory ?? _root, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, (Now - age).UtcDateTime);
        return path;
    }

    private static string LogText(int lines) =>
        string.Concat(Enumerable.Range(0, lines).Select(i => $"2026-11-27T10:{i % 60:00}:00Z INFO request {i} served in 12ms\n"));

    private static string ArchiveNameFor(string logName, DateTime writtenUtc) =>
        $"{logName}.{writtenUtc.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)}.gz";

    private static byte[] Decompress(string path)
    {
        using var input = File.OpenRead(path);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Every entry under the sandbox, without following links: file content hashes and times, and link targets.</summary>
    private Dictionary<string, string> Snapshot()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(DirectoryInfo directory)
        {
            foreach (var entry in directory.EnumerateFileSystemInfos())
            {
                var relative = Path.GetRelativePath(_sandbox, entry.FullName);
                if (entry.LinkTarget is { } target)
                {
                    entries[relative] = "link -> " + target;
                }
                else if (entry is DirectoryInfo child)
                {
                    entries[relative] = "dir";
                    Walk(child);
                }
                else
                {
                    var file = (FileInfo)entry;
                    entries[relative] = $"{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))} {file.LastWriteTimeUtc:O}";
                }
            }
        }

        Walk(new DirectoryInfo(_sandbox));
        return entries;
    }

    private static string[] FileNames(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task ExecuteAsync_LogOlderThanThreshold_IsGzippedWithTheOriginalBytesAndTime()
    {
        var content = LogText(200);
        var log = WriteFile("app.log.1", content, TimeSpan.FromHours(2));
        var written = File.GetLastWriteTimeUtc(log);

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(log).ShouldBeFalse();
        var archive = Path.Combine(_root, ArchiveNameFor("app.log.1", written));
        FileNames(_root).ShouldBe([Path.GetFileName(archive)]);
        Decompress(archive).ShouldBe(Encoding.UTF8.GetBytes(content));
        File.GetLastWriteTimeUtc(archive).ShouldBe(written);
        outcome.Changes.ShouldHaveSingleItem().ShouldStartWith($"compress {log} ");
    }

    [Fact]
    public async Task ExecuteAsync_LogWrittenRecently_IsLeftUntouched()
    {
        var recent = WriteFile("app.log", LogText(10), TimeSpan.FromMinutes(59));
        var old = WriteFile("app.log.1", LogText(10), TimeSpan.FromMinutes(61));
        var before = File.ReadAllBytes(recent);

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.ReadAllBytes(recent).ShouldBe(before);
        File.GetLastWriteTimeUtc(recent).ShouldBe((Now - TimeSpan.FromMinutes(59)).UtcDateTime);
        File.Exists(old).ShouldBeFalse();
        outcome.Changes.ShouldHaveSingleItem().ShouldContain(old);
    }

    [Fact]
    public async Task ExecuteAsync_OnlyRecentLogs_ReportsNoChange()
    {
        WriteFile("app.log", LogText(10), TimeSpan.FromMinutes(5));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root, "compress_older_than: 10m"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NoChange);
        outcome.Changes.ShouldBeEmpty();
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_FilesNotMatchingThePattern_AreLeftUntouched()
    {
        WriteFile("data.db", "database", TimeSpan.FromDays(30));
        WriteFile("notes.txt", "notes", TimeSpan.FromDays(30));
        var log = WriteFile("app.log", LogText(10), TimeSpan.FromDays(30));
        var written = File.GetLastWriteTimeUtc(log);

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe([ArchiveNameFor("app.log", written), "data.db", "notes.txt"]);
    }

    [Fact]
    public async Task ExecuteAsync_MoreArchivesThanKeep_DeletesTheOldest()
    {
        var newest = WriteFile("app.log.20261126T000000Z.gz", "a", TimeSpan.FromDays(1));
        var second = WriteFile("app.log.20261125T000000Z.gz", "b", TimeSpan.FromDays(2));
        var third = WriteFile("app.log.20261124T000000Z.gz", "c", TimeSpan.FromDays(3));
        var oldest = WriteFile("app.log.20261123T000000Z.gz", "d", TimeSpan.FromDays(4));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "keep: 2"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe([Path.GetFileName(second), Path.GetFileName(newest)]);
        outcome.Changes.Count.ShouldBe(2);
        outcome.Changes.ShouldContain(c => c.StartsWith($"delete {third} ", StringComparison.Ordinal) && c.EndsWith("beyond the 2 newest archives kept", StringComparison.Ordinal));
        outcome.Changes.ShouldContain(c => c.StartsWith($"delete {oldest} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_ArchivesOverMaxTotalSize_DeletesOldestUntilTheyFit()
    {
        var kilobyte = new string('x', 1000);
        var newest = WriteFile("app.log.4.gz", kilobyte, TimeSpan.FromDays(1));
        var second = WriteFile("app.log.3.gz", kilobyte, TimeSpan.FromDays(2));
        var third = WriteFile("app.log.2.gz", kilobyte, TimeSpan.FromDays(3));
        var oldest = WriteFile("app.log.1.gz", kilobyte, TimeSpan.FromDays(4));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "max_total_size: 2500"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(newest).ShouldBeTrue();
        File.Exists(second).ShouldBeTrue();
        File.Exists(third).ShouldBeFalse();
        File.Exists(oldest).ShouldBeFalse();
        outcome.Changes.ShouldAllBe(c => c.EndsWith("archives exceed max_total_size 2500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_RunTwice_SecondRunReportsNoChangeAndLeavesTheSameState()
    {
        WriteFile("app.log", LogText(20), TimeSpan.FromMinutes(1));
        WriteFile("app.log.1", LogText(500), TimeSpan.FromHours(2));
        WriteFile("app.log.2", LogText(500), TimeSpan.FromHours(26));
        WriteFile("worker.log", LogText(500), TimeSpan.FromHours(3));
        for (var day = 2; day <= 6; day++)
        {
            WriteFile($"app.log.2026112{day}T000000Z.gz", new string('z', 300), TimeSpan.FromDays(day));
        }

        var action = NewAction();
        var request = Request(_root, "keep: 4, max_total_size: 50Ki");

        var first = await action.ExecuteAsync(request, CancellationToken.None);
        var afterFirst = Snapshot();
        var second = await action.ExecuteAsync(request, CancellationToken.None);

        first.Status.ShouldBe(ActionStatus.Succeeded, first.Summary);
        second.Status.ShouldBe(ActionStatus.NoChange, string.Join("\n", second.Changes));
        second.Changes.ShouldBeEmpty();
        Snapshot().ShouldBe(afterFirst);
        Directory.EnumerateFiles(_root, "*.gz").Count().ShouldBe(4);
        File.Exists(Path.Combine(_root, "app.log")).ShouldBeTrue();
    }

    [Fact]
    public async Task PreviewAsync_ChangesNothingAndListsExactlyTheStepsExecutePerforms()
    {
        WriteFile("app.log", LogText(20), TimeSpan.FromMinutes(1));
        WriteFile("app.log.1", LogText(300), TimeSpan.FromHours(2));
        WriteFile("app.log.2", LogText(300), TimeSpan.FromDays(5));
        WriteFile("app.log.20261120T000000Z.gz", "old", TimeSpan.FromDays(7));
        WriteFile("app.log.20261119T000000Z.gz", "older", TimeSpan.FromDays(8));
        var action = NewAction();
        var request = Request(_root, "keep: 2");
        var before = Snapshot();

        var preview = await action.PreviewAsync(request, CancellationToken.None);

        Snapshot().ShouldBe(before);
        preview.CanRun.ShouldBeTrue();
        preview.Summary.ShouldStartWith("would compress 2 log file(s)");
        preview.Changes.Count.ShouldBe(4);

        var outcome = await action.ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldBe(preview.Changes);
    }

    [Fact]
    public async Task PreviewAsync_NothingToDo_CanRunWithNoChanges()
    {
        WriteFile("app.log", LogText(5), TimeSpan.FromMinutes(1));

        var preview = await NewAction().PreviewAsync(Request(_root), CancellationToken.None);

        preview.CanRun.ShouldBeTrue();
        preview.Changes.ShouldBeEmpty();
        preview.Summary.ShouldStartWith("nothing to do");
    }

    [Fact]
    public async Task ExecuteAsync_NoPathLabel_UsesTheCatalogPathParameter()
    {
        var log = WriteFile("app.log", LogText(5), TimeSpan.FromDays(1));

        var outcome = await NewAction().ExecuteAsync(Request(path: null, $"path: \"{_root}\""), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(log).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_NoPathAnywhere_IsNotApplicableSayingSo()
    {
        var outcome = await NewAction().ExecuteAsync(Request(path: null), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: the signal names no directory");
    }

    [Fact]
    public async Task ExecuteAsync_PathOutsideAllowedRoots_IsNotApplicableAndNothingChanges()
    {
        WriteFile("secret.log", LogText(5), TimeSpan.FromDays(1), _outside);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_outside), CancellationToken.None);
        var preview = await NewAction().PreviewAsync(Request(_outside), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: ");
        outcome.Summary.ShouldContain("is outside the allowlisted roots");
        outcome.Changes.ShouldBeEmpty();
        preview.CanRun.ShouldBeFalse();
        preview.Summary.ShouldContain("is outside the allowlisted roots");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_TraversalFromInsideTheRoot_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "app"));
        WriteFile("secret.log", LogText(5), TimeSpan.FromDays(1), _outside);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root + "/app/../../outside"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("is outside the allowlisted roots");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkedDirectoryInsideRootPointingOutside_IsRefusedAsTarget()
    {
        WriteFile("secret.log", LogText(5), TimeSpan.FromDays(1), _outside);
        var link = Path.Combine(_root, "escape");
        Directory.CreateSymbolicLink(link, _outside);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(link), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("is outside the allowlisted roots");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkedDirectoryInsideRoot_IsNotFollowedWhenRecursive()
    {
        var secret = WriteFile("secret.log", LogText(5), TimeSpan.FromDays(1), _outside);
        Directory.CreateDirectory(Path.Combine(_root, "app"));
        var inner = WriteFile("inner.log", LogText(5), TimeSpan.FromDays(1), Path.Combine(_root, "app"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        var secretBefore = File.ReadAllBytes(secret);

        var outcome = await NewAction().ExecuteAsync(Request(_root, "recursive: true"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(inner).ShouldBeFalse();
        File.ReadAllBytes(secret).ShouldBe(secretBefore);
        FileNames(_outside).ShouldBe(["secret.log"]);
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkedFilesInsideRootPointingOutside_AreNeverCompressedOrDeleted()
    {
        var secret = WriteFile("secret.log", LogText(50), TimeSpan.FromDays(30), _outside);
        var secretArchive = WriteFile("secret.log.20201101T000000Z.gz", "precious", TimeSpan.FromDays(40), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "evil.log"), secret);
        File.CreateSymbolicLink(Path.Combine(_root, "evil.log.20201101T000000Z.gz"), secretArchive);
        var real = WriteFile("app.log", LogText(50), TimeSpan.FromDays(30));
        var outsideBefore = Snapshot().Where(e => e.Key.StartsWith("outside", StringComparison.Ordinal)).ToList();

        var outcome = await NewAction().ExecuteAsync(Request(_root, "keep: 0"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(real).ShouldBeFalse();
        outcome.Changes.ShouldAllBe(c => !c.Contains("evil", StringComparison.Ordinal));
        new FileInfo(Path.Combine(_root, "evil.log")).LinkTarget.ShouldBe(secret);
        new FileInfo(Path.Combine(_root, "evil.log.20201101T000000Z.gz")).LinkTarget.ShouldBe(secretArchive);
        Snapshot().Where(e => e.Key.StartsWith("outside", StringComparison.Ordinal)).ToList().ShouldBe(outsideBefore);
    }

    [Fact]
    public async Task ExecuteAsync_PlantedSymlinkAtTheTemporaryArchivePath_NeverWritesOutside()
    {
        var victim = WriteFile("victim.conf", "do not overwrite me", TimeSpan.FromDays(3), _outside);
        var log = WriteFile("app.log", LogText(50), TimeSpan.FromDays(1));
        var archiveName = ArchiveNameFor("app.log", File.GetLastWriteTimeUtc(log));
        File.CreateSymbolicLink(Path.Combine(_root, archiveName + ".tmp"), victim);

        await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        File.ReadAllText(victim).ShouldBe("do not overwrite me");
        File.GetLastWriteTimeUtc(victim).ShouldBe((Now - TimeSpan.FromDays(3)).UtcDateTime);
        var archive = new FileInfo(Path.Combine(_root, archiveName));
        archive.Exists.ShouldBeTrue();
        archive.LinkTarget.ShouldBeNull();
        Decompress(archive.FullName).ShouldBe(Encoding.UTF8.GetBytes(LogText(50)));
    }

    public static TheoryData<string> HostileLabels => new()
    {
        "$(rm -rf /)",
        "; reboot",
        "`reboot`",
        "../../etc",
        "/var/log\n/etc",
        "/var/log; reboot",
        "/var/log && rm -rf /",
        "\u001b[2J/var/log",
    };

    [Theory]
    [MemberData(nameof(HostileLabels))]
    public async Task ExecuteAsync_HostilePathLabel_IsRefusedSafely(string label)
    {
        var canary = WriteFile("app.log", LogText(5), TimeSpan.FromDays(1));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(label), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: ");
        outcome.Changes.ShouldBeEmpty();
        File.Exists(canary).ShouldBeTrue();
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData("$(touch {0}/pwned)")]
    [InlineData("; touch {0}/pwned")]
    [InlineData("`touch {0}/pwned`")]
    public async Task ExecuteAsync_DirectoryNamedLikeAShellCommand_IsTreatedAsAPlainNameAndNothingRuns(string name)
    {
        // The directory really exists under the root, so the action works in it: its name must stay a name.
        var directory = Path.Combine(_root, string.Format(System.Globalization.CultureInfo.InvariantCulture, name, _sandbox).Replace('/', '_'));
        Directory.CreateDirectory(directory);
        var log = WriteFile("app.log", LogText(20), TimeSpan.FromDays(1), directory);

        var outcome = await NewAction().ExecuteAsync(Request(directory), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(log).ShouldBeFalse();
        Directory.GetFiles(directory, "*.gz").ShouldHaveSingleItem();
        File.Exists(Path.Combine(_sandbox, "pwned")).ShouldBeFalse();
        Directory.GetFiles(_sandbox, "pwned", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ExecuteAsync_PrivateLog_ArchiveKeepsItsPermissions()
    {
        var log = WriteFile("secrets.log", LogText(20), TimeSpan.FromDays(1));
        File.SetUnixFileMode(log, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var archive = Path.Combine(_root, ArchiveNameFor("secrets.log", File.GetLastWriteTimeUtc(log)));

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.GetUnixFileMode(archive).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task ExecuteAsync_CatalogPathSet_ASignalPathOutsideItIsRefusedEvenInsideTheRoots()
    {
        var app = Path.Combine(_root, "app");
        var other = Path.Combine(_root, "other");
        Directory.CreateDirectory(app);
        Directory.CreateDirectory(other);
        var otherLog = WriteFile("db.log", LogText(5), TimeSpan.FromDays(1), other);

        var outside = await NewAction().ExecuteAsync(Request(other, $"path: {app}"), CancellationToken.None);
        var inside = await NewAction().ExecuteAsync(Request(app, $"path: {app}"), CancellationToken.None);

        outside.Status.ShouldBe(ActionStatus.NotApplicable);
        outside.Summary.ShouldContain("outside the allowlisted roots");
        File.Exists(otherLog).ShouldBeTrue();
        inside.Status.ShouldNotBe(ActionStatus.Failed, inside.Summary);
    }

    [Fact]
    public void NoFollowOpen_SymbolicLink_IsRefused()
    {
        var victim = WriteFile("victim.conf", "secret", TimeSpan.FromDays(1), _outside);
        var link = Path.Combine(_root, "swapped.log");
        File.CreateSymbolicLink(link, victim);

        var exception = Should.Throw<IOException>(() => NoFollowFile.OpenRead(link).Dispose());

        exception.Message.ShouldContain("symbolic link");
    }

    [Fact]
    public async Task ExecuteAsync_NoAllowedRootsConfigured_IsNotApplicableEvenForAnExistingDirectory()
    {
        var log = WriteFile("app.log", LogText(5), TimeSpan.FromDays(1));

        var outcome = await NewAction([]).ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("no allowlisted roots are configured for this action");
        File.Exists(log).ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_PathLabelAmongOtherLabelNames_IsFound()
    {
        var log = WriteFile("app.log", LogText(5), TimeSpan.FromDays(1));

        var outcome = await NewAction().ExecuteAsync(Request(new Dictionary<string, string> { ["mountpoint"] = _root }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(log).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_PartialArchiveLeftByAKilledRun_IsRemovedAndReported_AndTheNextRunHasNothingToDo()
    {
        var leftover = WriteFile("app.log.20261127T080000Z.gz.tmp", "half an archive", TimeSpan.FromHours(3));
        var action = NewAction();

        var preview = await action.PreviewAsync(Request(_root), CancellationToken.None);
        var outcome = await action.ExecuteAsync(Request(_root), CancellationToken.None);
        var again = await action.ExecuteAsync(Request(_root), CancellationToken.None);

        preview.Changes.ShouldHaveSingleItem().ShouldBe($"remove {leftover} (15): left by an interrupted run");
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("remove 1 temporary file(s) left by an interrupted run");
        outcome.Changes.ShouldBe(preview.Changes);
        File.Exists(leftover).ShouldBeFalse();
        again.Status.ShouldBe(ActionStatus.NoChange, again.Summary);
    }

    [Fact]
    public async Task ExecuteAsync_PartialArchiveOfTheLogItCompresses_IsReplacedByACompleteArchive()
    {
        var log = WriteFile("app.log.1", LogText(100), TimeSpan.FromHours(2));
        var archive = Path.Combine(_root, ArchiveNameFor("app.log.1", File.GetLastWriteTimeUtc(log)));
        File.WriteAllText(archive + ".tmp", "truncated");

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe([Path.GetFileName(archive)]);
        Decompress(archive).ShouldBe(Encoding.UTF8.GetBytes(LogText(100)));
        outcome.Changes.ShouldContain(c => c.StartsWith($"remove {archive}.tmp ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_TemporaryArchiveARunInProgressIsWriting_IsLeftAlone()
    {
        var temporary = Path.Combine(_root, "app.log.20261127T080000Z.gz.tmp");

        // The writer of a temporary archive holds it open exclusively, as the action itself does while it compresses.
        await using (var writer = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.Write(Encoding.ASCII.GetBytes("still being written"));
            writer.Flush();

            var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

            outcome.Status.ShouldBe(ActionStatus.NoChange, outcome.Summary);
            outcome.Summary.ShouldContain("is being written by another run; left alone");
            File.Exists(temporary).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task ExecuteAsync_TemporaryLookingFilesNotItsOwn_AreNeverTouched()
    {
        var victim = WriteFile("victim.conf", "keep me", TimeSpan.FromDays(3), _outside);
        WriteFile("notes.txt.20261127T080000Z.gz.tmp", "another tool's file", TimeSpan.FromHours(3));
        WriteFile("app.log.gz.tmp", "not the action's naming", TimeSpan.FromHours(3));
        File.CreateSymbolicLink(Path.Combine(_root, "app.log.20261127T080000Z.gz.tmp"), victim);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NoChange, outcome.Summary);
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_EmptyOldLog_IsLeftAloneAndNoArchiveIsWritten()
    {
        var empty = WriteFile("app.log.1", string.Empty, TimeSpan.FromHours(5));

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NoChange, outcome.Summary);
        FileNames(_root).ShouldBe(["app.log.1"]);
        File.Exists(empty).ShouldBeTrue();
    }

    private static readonly Dictionary<string, string> NodeDiskAlertOnRoot = new()
    {
        ["alertname"] = "NodeFilesystemAlmostOutOfSpace", ["mountpoint"] = "/", ["device"] = "/dev/vda1", ["fstype"] = "ext4", ["instance"] = "node-1:9100",
    };

    private static CatalogTargets MountpointTargets(string mountpoint, params string[] directories) =>
        new() { Mountpoints = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [mountpoint] = directories } };

    [Fact]
    public async Task Premise_DirectoryOverItsBudget_ActsAndRecordsWhatItSaw()
    {
        _filesystem.UsedPercent = 16;
        var log = WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        var size = new FileInfo(log).Length;
        var request = Request(_root, "budget: 1Ki");

        var preview = await NewAction().PreviewAsync(request, CancellationToken.None);
        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.Holds);
        preview.Premise.Observed.ShouldContain($"{_root} holds {new Homeostat.Primitives.ByteSize(size)}, over its budget 1Ki");
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.Holds);
        File.Exists(log).ShouldBeFalse();
    }

    [Fact]
    public async Task Premise_DirectoryWithinBudgetOnAQuietFilesystem_IsNotMetAndNothingChanges()
    {
        _filesystem.UsedPercent = 16;
        WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        for (var i = 0; i < 12; i++)
        {
            WriteFile($"app.log.202611{10 + i}T000000Z.gz", "old archive", TimeSpan.FromDays(20 - i));
        }

        var before = Snapshot();
        var request = Request(_root, "budget: 1Gi");

        var preview = await NewAction().PreviewAsync(request, CancellationToken.None);
        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Changes.ShouldBeEmpty();
        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotMet);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Changes.ShouldBeEmpty();
        outcome.Premise.ShouldNotBeNull().Observed.ShouldContain("within its budget 1Gi");
        outcome.Premise.Observed.ShouldContain("filesystem is 16% used");
        outcome.Premise.Observed.ShouldContain("below max_used_percent 60%");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Premise_WithABudget_TheBudgetDecidesEvenOnAFullFilesystem()
    {
        // Another tenant filled the disk; this directory is within what the operator allows it, so rotating it is the wrong fix.
        _filesystem.UsedPercent = 97;
        WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root, "budget: 1Gi"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise.ShouldNotBeNull().Observed.ShouldContain("within its budget 1Gi");
        outcome.Premise.Observed.ShouldContain("filesystem is 97% used");
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData(69.9, false)]
    [InlineData(70, true)]
    public async Task Premise_FilesystemUsage_ActsFromMaxUsedPercentOn(double usedPercent, bool acts)
    {
        _filesystem.UsedPercent = usedPercent;
        var log = WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "max_used_percent: 70"), CancellationToken.None);

        outcome.Status.ShouldBe(acts ? ActionStatus.Succeeded : ActionStatus.PremiseNotMet, outcome.Summary);
        File.Exists(log).ShouldBe(!acts);
        _filesystem.Measured.ShouldContain(_root);
    }

    [Fact]
    public async Task Premise_IsCheckedAgainJustBeforeActing()
    {
        var action = NewAction();
        WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        var preview = await action.PreviewAsync(Request(_root), CancellationToken.None);

        // Space was freed between the preview and the execution: the fault is gone, so nothing is touched.
        _filesystem.UsedPercent = 20;
        var before = Snapshot();
        var outcome = await action.ExecuteAsync(Request(_root), CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData(false, ActionStatus.Succeeded)]
    [InlineData(true, ActionStatus.NotApplicable)]
    public async Task Target_MountpointAlert_UsesTheCatalogsPathOnlyWhenItIsOnThatFilesystem(bool pathHasItsOwnVolume, ActionStatus expected)
    {
        _filesystem.Mounts.Add("/");
        if (pathHasItsOwnVolume)
        {
            _filesystem.Mounts.Add(_root);
        }

        var log = WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));

        var outcome = await NewAction().ExecuteAsync(Request(NodeDiskAlertOnRoot, $"path: \"{_root}\""), CancellationToken.None);

        outcome.Status.ShouldBe(expected, outcome.Summary);
        File.Exists(log).ShouldBe(pathHasItsOwnVolume);
        if (pathHasItsOwnVolume)
        {
            outcome.Summary.ShouldContain($"is on another filesystem, mounted at '{_root}'");
        }
    }

    [Fact]
    public async Task Target_StockNodeDiskAlertOnRootWithoutTargets_IsNotApplicableAndNothingChanges()
    {
        WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        var before = Snapshot();
        var request = Request(NodeDiskAlertOnRoot);

        var preview = await NewAction().PreviewAsync(request, CancellationToken.None);
        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        // A mountpoint names a filesystem, not a directory of logs: it was never planned to rotate '/'.
        preview.CanRun.ShouldBeFalse();
        preview.Summary.ShouldStartWith("not applicable: ");
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Summary.ShouldContain("mounted at '/'");
        outcome.Summary.ShouldContain("targets.mountpoints");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Target_StockNodeDiskAlertOnRoot_ResolvesThroughTheTargetsMap()
    {
        var log = WriteFile("app.log", LogText(100), TimeSpan.FromDays(1));
        var request = Request(NodeDiskAlertOnRoot) with { Targets = MountpointTargets("/", _root, "/nonexistent/homeostat-test") };

        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldNotBeNull().Observed.ShouldStartWith($"mountpoint '/' maps to {_root} (targets)");
        File.Exists(log).ShouldBeFalse();
        _filesystem.Measured.ShouldBe([_root]);
    }

    [Fact]
    public async Task Target_MapGivesOnlyDirectoriesOutsideTheAllowlist_IsNotApplicableAndNothingChanges()
    {
        WriteFile("secret.log", LogText(100), TimeSpan.FromDays(1), _outside);
        var before = Snapshot();
        var request = Request(NodeDiskAlertOnRoot) with { Targets = MountpointTargets("/", _outside) };

        var preview = await NewAction().PreviewAsync(request, CancellationToken.None);
        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("none of which this action may touch");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Target_ServiceMap_GivesTheServicesLogDirectory()
    {
        var checkout = Path.Combine(_root, "checkout");
        Directory.CreateDirectory(checkout);
        var log = WriteFile("app.log", LogText(100), TimeSpan.FromDays(1), checkout);
        var other = WriteFile("other.log", LogText(100), TimeSpan.FromDays(1));
        var request = Request([]) with
        {
            Signal = Request([]).Signal with { Service = "checkout" },
            Targets = new CatalogTargets { Services = new Dictionary<string, IReadOnlyList<string>> { ["checkout"] = [checkout] } },
        };

        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(log).ShouldBeFalse();
        File.Exists(other).ShouldBeTrue();
    }
}

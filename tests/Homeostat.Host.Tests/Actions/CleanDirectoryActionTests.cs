using System.Security.Cryptography;
using Homeostat.Catalog;
using Homeostat.Remediation;
using Homeostat.Host.Actions;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Host.Tests.Actions;

public sealed class CleanDirectoryActionTests : IDisposable
{
    private const string Action = "clean_directory";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 23, 50, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    // Full enough that the premise holds: these tests are about what the action does once it acts.
    private readonly FixedFilesystemUsage _filesystem = new(95);
    private readonly string _sandbox;
    private readonly string _root;
    private readonly string _outside;

    public CleanDirectoryActionTests()
    {
        _sandbox = SafePaths.RealPath(Path.Combine(Path.GetTempPath(), $"homeostat-clean-{Guid.NewGuid():N}"));
        _root = Path.Combine(_sandbox, "cache");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private CleanDirectoryAction NewAction(params string[] roots) =>
        new(StaticOptionsMonitor.Of(new CleanDirectoryOptions { AllowedRoots = [.. roots] }), _time, _filesystem);

    private CleanDirectoryAction NewAction() => NewAction(_root);

    private static ActionRequest Request(string? path, string parameters = "older_than: 1d") =>
        Request(path is null ? [] : new Dictionary<string, string> { ["path"] = path }, parameters);

    private static ActionRequest Request(Dictionary<string, string> labels, string parameters = "older_than: 1d", SignalResource? resource = null) =>
        HostActionCatalog.Request(Action, parameters, labels, resource: resource);

    private string WriteFile(string name, TimeSpan age, string? directory = null, string content = "cached bytes")
    {
        var path = Path.Combine(directory ?? _root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, (Now - age).UtcDateTime);
        return path;
    }

    /// <summary>Every entry under the sandbox, without following links: file content hashes and times, and link targets.</summary>
    private Dictionary<string, string> Snapshot(string? under = null)
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

        Walk(new DirectoryInfo(under ?? _sandbox));
        return entries;
    }

    private static string[] FileNames(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task ExecuteAsync_FilesOlderThanTheThreshold_AreDeletedAndRecentOnesKept()
    {
        var old = WriteFile("a.tmp", TimeSpan.FromDays(3));
        var older = WriteFile("b.tmp", TimeSpan.FromDays(9));
        var recent = WriteFile("c.tmp", TimeSpan.FromHours(23));

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe(["c.tmp"]);
        File.Exists(recent).ShouldBeTrue();
        outcome.Changes.Count.ShouldBe(2);
        outcome.Changes[0].ShouldStartWith($"delete {older} ");
        outcome.Changes[1].ShouldStartWith($"delete {old} ");
        outcome.Summary.ShouldStartWith($"deleted 2 file(s) (24) older than 1d matching '*' in {_root}");
    }

    [Fact]
    public async Task ExecuteAsync_Pattern_OnlyMatchingFilesAreDeletedCaseSensitively()
    {
        WriteFile("keep.db", TimeSpan.FromDays(30));
        WriteFile("UPPER.TMP", TimeSpan.FromDays(30));
        WriteFile("gone.tmp", TimeSpan.FromDays(30));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "older_than: 1d, pattern: \"*.tmp\""), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe(["UPPER.TMP", "keep.db"]);
    }

    [Fact]
    public async Task ExecuteAsync_KeepNewest_TheNewestMatchesSurviveWhateverTheirAge()
    {
        for (var day = 2; day <= 6; day++)
        {
            WriteFile($"backup-{day}.tar", TimeSpan.FromDays(day));
        }

        var request = Request(_root, "older_than: 1d, keep_newest: 2");

        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);
        var again = await NewAction().ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe(["backup-2.tar", "backup-3.tar"]);
        again.Status.ShouldBe(ActionStatus.NoChange);
        again.Summary.ShouldEndWith("is older than 1d beyond the 2 newest kept");
    }

    [Fact]
    public async Task ExecuteAsync_KeepNewestCountsRecentFilesToo()
    {
        WriteFile("new.tar", TimeSpan.FromHours(1));
        WriteFile("old-1.tar", TimeSpan.FromDays(2));
        WriteFile("old-2.tar", TimeSpan.FromDays(3));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "older_than: 1d, keep_newest: 2"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        FileNames(_root).ShouldBe(["new.tar", "old-1.tar"]);
    }

    [Fact]
    public async Task ExecuteAsync_MaxFiles_DeletesTheOldestFirstAndLeavesTheRestForTheNextRun()
    {
        for (var day = 2; day <= 6; day++)
        {
            WriteFile($"f{day}", TimeSpan.FromDays(day));
        }

        var action = NewAction();
        var request = Request(_root, "older_than: 1d, max_files: 2");

        var first = await action.ExecuteAsync(request, CancellationToken.None);
        FileNames(_root).ShouldBe(["f2", "f3", "f4"]);
        var second = await action.ExecuteAsync(request, CancellationToken.None);
        var third = await action.ExecuteAsync(request, CancellationToken.None);
        var fourth = await action.ExecuteAsync(request, CancellationToken.None);

        first.Status.ShouldBe(ActionStatus.Succeeded, first.Summary);
        first.Summary.ShouldEndWith("; 3 more left for a later run (max_files 2)");
        second.Changes.Count.ShouldBe(2);
        third.Changes.Count.ShouldBe(1);
        fourth.Status.ShouldBe(ActionStatus.NoChange);
        Directory.EnumerateFileSystemEntries(_root).ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_NothingOldEnough_ReportsNoChangeAndTouchesNothing()
    {
        WriteFile("fresh", TimeSpan.FromMinutes(5));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NoChange);
        outcome.Changes.ShouldBeEmpty();
        outcome.Summary.ShouldBe($"nothing to do in {_root}: no file matching '*' is older than 1d");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_RunTwice_SecondRunReportsNoChangeAndLeavesTheSameState()
    {
        WriteFile("a", TimeSpan.FromDays(2));
        WriteFile("b", TimeSpan.FromDays(3));
        WriteFile("c", TimeSpan.FromHours(1));
        WriteFile("sub/d", TimeSpan.FromDays(4));
        var action = NewAction();
        var request = Request(_root, "older_than: 1d, keep_newest: 1, recursive: true");

        var first = await action.ExecuteAsync(request, CancellationToken.None);
        var afterFirst = Snapshot();
        var second = await action.ExecuteAsync(request, CancellationToken.None);

        first.Status.ShouldBe(ActionStatus.Succeeded, first.Summary);
        second.Status.ShouldBe(ActionStatus.NoChange, second.Summary);
        second.Changes.ShouldBeEmpty();
        Snapshot().ShouldBe(afterFirst);
    }

    [Fact]
    public async Task PreviewAsync_ChangesNothingAndListsExactlyTheDeletionsExecutePerforms()
    {
        WriteFile("a", TimeSpan.FromDays(2));
        WriteFile("b", TimeSpan.FromDays(5));
        WriteFile("c", TimeSpan.FromHours(2));
        var action = NewAction();
        var request = Request(_root);
        var before = Snapshot();

        var preview = await action.PreviewAsync(request, CancellationToken.None);

        Snapshot().ShouldBe(before);
        preview.CanRun.ShouldBeTrue();
        preview.Summary.ShouldStartWith($"would delete 2 file(s) (24) older than 1d matching '*' in {_root}");
        preview.Changes.Count.ShouldBe(2);

        var outcome = await action.ExecuteAsync(request, CancellationToken.None);

        outcome.Changes.ShouldBe(preview.Changes);
    }

    [Fact]
    public async Task PreviewAsync_NothingToDo_CanRunWithNoChanges()
    {
        var preview = await NewAction().PreviewAsync(Request(_root), CancellationToken.None);

        preview.CanRun.ShouldBeTrue();
        preview.Changes.ShouldBeEmpty();
        preview.Summary.ShouldStartWith("nothing to do");
    }

    [Fact]
    public async Task ExecuteAsync_Recursive_CleansSubdirectoriesOnlyWhenAsked()
    {
        var nested = WriteFile("a/b/old", TimeSpan.FromDays(2));

        var flat = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);
        File.Exists(nested).ShouldBeTrue();
        var deep = await NewAction().ExecuteAsync(Request(_root, "older_than: 1d, recursive: true"), CancellationToken.None);

        flat.Status.ShouldBe(ActionStatus.NoChange);
        deep.Status.ShouldBe(ActionStatus.Succeeded, deep.Summary);
        File.Exists(nested).ShouldBeFalse();
        Directory.Exists(Path.Combine(_root, "a", "b")).ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCancelled_DeletesNothingAndReportsTheProgress()
    {
        var old = WriteFile("a", TimeSpan.FromDays(2));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var outcome = await NewAction().ExecuteAsync(Request(_root), cancelled.Token);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe($"stopped by the time limit after deleting 0 of 1 file(s) in {_root}");
        outcome.Changes.ShouldBeEmpty();
        File.Exists(old).ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkedFilesInsideRootPointingOutside_AreNeitherDeletedNorFollowed()
    {
        var secret = WriteFile("secret.conf", TimeSpan.FromDays(30), _outside);
        var link = Path.Combine(_root, "evil.conf");
        File.CreateSymbolicLink(link, secret);
        File.SetLastWriteTimeUtc(secret, (Now - TimeSpan.FromDays(30)).UtcDateTime);
        var real = WriteFile("real.conf", TimeSpan.FromDays(30));
        var outsideBefore = Snapshot(_outside);

        var outcome = await NewAction().ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(real).ShouldBeFalse();
        outcome.Changes.ShouldAllBe(c => !c.Contains("evil", StringComparison.Ordinal));
        new FileInfo(link).LinkTarget.ShouldBe(secret);
        Snapshot(_outside).ShouldBe(outsideBefore);
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkedDirectoryInsideRoot_IsNotEnteredWhenRecursive()
    {
        WriteFile("secret.conf", TimeSpan.FromDays(30), _outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        var inner = WriteFile("app/old", TimeSpan.FromDays(30));
        var outsideBefore = Snapshot(_outside);

        var outcome = await NewAction().ExecuteAsync(Request(_root, "older_than: 1d, recursive: true"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(inner).ShouldBeFalse();
        outcome.Changes.ShouldHaveSingleItem();
        Snapshot(_outside).ShouldBe(outsideBefore);
        new DirectoryInfo(Path.Combine(_root, "escape")).LinkTarget.ShouldBe(_outside);
    }

    [Fact]
    public async Task ExecuteAsync_PathIsALinkInsideTheRootPointingOutside_IsRefused()
    {
        WriteFile("secret.conf", TimeSpan.FromDays(30), _outside);
        var link = Path.Combine(_root, "escape");
        Directory.CreateSymbolicLink(link, _outside);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(link), CancellationToken.None);
        var preview = await NewAction().PreviewAsync(Request(link), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: ");
        outcome.Summary.ShouldContain($"(really '{_outside}') is outside the allowlisted roots");
        preview.CanRun.ShouldBeFalse();
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_RootReachedThroughALink_ResolvesAndCleansTheRealDirectory()
    {
        var old = WriteFile("old", TimeSpan.FromDays(2));
        var alias = Path.Combine(_sandbox, "alias");
        Directory.CreateSymbolicLink(alias, _root);

        var outcome = await NewAction().ExecuteAsync(Request(alias), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldHaveSingleItem().ShouldStartWith($"delete {old} ");
        new DirectoryInfo(alias).LinkTarget.ShouldBe(_root);
    }

    [Fact]
    public async Task ExecuteAsync_PathOutsideAllowedRoots_IsNotApplicableAndNothingChanges()
    {
        WriteFile("old", TimeSpan.FromDays(30), _outside);
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_outside), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("is outside the allowlisted roots");
        Snapshot().ShouldBe(before);
    }

    public static TheoryData<string> HostileLabels => new()
    {
        "../../etc",
        "$(rm -rf /)",
        "; reboot",
        "`reboot`",
        "/etc",
        "/",
        "/var/log\n/etc",
        "\u001b[2J/var/log",
        "/" + new string('a', 5000),
    };

    [Theory]
    [MemberData(nameof(HostileLabels))]
    public async Task ExecuteAsync_HostilePathLabel_IsRefusedSafely(string label)
    {
        WriteFile("old", TimeSpan.FromDays(30));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(label), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: ");
        outcome.Changes.ShouldBeEmpty();
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task ExecuteAsync_TraversalFromInsideTheRoot_IsRefused()
    {
        WriteFile("old", TimeSpan.FromDays(30), _outside);
        Directory.CreateDirectory(Path.Combine(_root, "app"));
        var before = Snapshot();

        var outcome = await NewAction().ExecuteAsync(Request(_root + "/app/../../outside"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("is outside the allowlisted roots");
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData("$(touch {0}/pwned)")]
    [InlineData("; touch {0}/pwned")]
    [InlineData("`touch {0}/pwned`")]
    public async Task ExecuteAsync_DirectoryNamedLikeAShellCommand_IsAPlainNameAndNothingRuns(string name)
    {
        var directory = Path.Combine(_root, string.Format(System.Globalization.CultureInfo.InvariantCulture, name, _sandbox).Replace('/', '_'));
        var old = WriteFile("old", TimeSpan.FromDays(2), directory);

        var outcome = await NewAction().ExecuteAsync(Request(directory), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(old).ShouldBeFalse();
        Directory.GetFiles(_sandbox, "pwned", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_CatalogPathSet_ASignalPathOutsideItIsRefusedEvenInsideTheRoots()
    {
        var app = Path.Combine(_root, "app");
        var other = Path.Combine(_root, "other");
        var appFile = WriteFile("old", TimeSpan.FromDays(2), app);
        var otherFile = WriteFile("old", TimeSpan.FromDays(2), other);

        var outside = await NewAction().ExecuteAsync(Request(other, $"older_than: 1d, path: \"{app}\""), CancellationToken.None);
        var inside = await NewAction().ExecuteAsync(Request(app, $"older_than: 1d, path: \"{app}\""), CancellationToken.None);

        outside.Status.ShouldBe(ActionStatus.NotApplicable);
        outside.Summary.ShouldContain("outside the allowlisted roots");
        File.Exists(otherFile).ShouldBeTrue();
        inside.Status.ShouldBe(ActionStatus.Succeeded, inside.Summary);
        File.Exists(appFile).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_CatalogPathOutsideTheRoots_IsRefused()
    {
        var outcome = await NewAction().ExecuteAsync(Request(path: null, $"older_than: 1d, path: \"{_outside}\""), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("refused: the catalog's path: ");
    }

    [Fact]
    public async Task ExecuteAsync_NoPathLabel_UsesTheCatalogPathThenResourcePath()
    {
        var first = WriteFile("old-1", TimeSpan.FromDays(2));
        var fromCatalog = await NewAction().ExecuteAsync(Request(path: null, $"older_than: 1d, path: \"{_root}\""), CancellationToken.None);
        var second = WriteFile("old-2", TimeSpan.FromDays(2));
        var fromResource = await NewAction().ExecuteAsync(Request([], resource: new SignalResource { Path = _root }), CancellationToken.None);
        var third = WriteFile("old-3", TimeSpan.FromDays(2));
        var fromDirectoryLabel = await NewAction().ExecuteAsync(Request(new Dictionary<string, string> { ["directory"] = _root }), CancellationToken.None);

        fromCatalog.Status.ShouldBe(ActionStatus.Succeeded, fromCatalog.Summary);
        fromResource.Status.ShouldBe(ActionStatus.Succeeded, fromResource.Summary);
        fromDirectoryLabel.Status.ShouldBe(ActionStatus.Succeeded, fromDirectoryLabel.Summary);
        File.Exists(first).ShouldBeFalse();
        File.Exists(second).ShouldBeFalse();
        File.Exists(third).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_NoPathAnywhere_IsNotApplicableSayingSo()
    {
        var outcome = await NewAction().ExecuteAsync(Request(path: null), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: the signal names no directory");
    }

    [Fact]
    public async Task ExecuteAsync_NoAllowedRootsConfigured_IsNotApplicableEvenForAnExistingDirectory()
    {
        var old = WriteFile("old", TimeSpan.FromDays(2));

        var outcome = await NewAction([]).ExecuteAsync(Request(_root), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldContain("no allowlisted roots are configured for this action");
        File.Exists(old).ShouldBeTrue();
    }

    [Fact]
    public void Catalog_OlderThanIsRequiredAndBoundsAreChecked()
    {
        HostActionCatalog.Load(Action, "").Errors.ShouldContain(e => e.ToString().Contains("older_than", StringComparison.Ordinal));
        HostActionCatalog.Load(Action, "older_than: 1d, max_files: 0").Errors.ShouldNotBeEmpty();
        HostActionCatalog.Load(Action, "older_than: 1d, keep_newest: -1").Errors.ShouldNotBeEmpty();
        HostActionCatalog.Load(Action, "older_than: 1d, pattern: \"../*\"").Errors.ShouldNotBeEmpty();

        var spec = HostActionCatalog.Spec(Action, "older_than: 2h");
        spec.Parameters.String("pattern").ShouldBe("*");
        spec.Parameters.Integer("keep_newest").ShouldBe(0);
        spec.Parameters.Integer("max_files").ShouldBe(1000);
        spec.Parameters.Boolean("recursive").ShouldBe(false);
    }

    [Fact]
    public async Task Premise_DirectoryOverItsBudget_DeletesAndRecordsWhatItSaw()
    {
        _filesystem.UsedPercent = 10;
        var old = WriteFile("old", TimeSpan.FromDays(2), content: new string('x', 2048));

        var outcome = await NewAction().ExecuteAsync(Request(_root, "older_than: 1d, budget: 1Ki"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.Holds);
        outcome.Premise.Observed.ShouldContain($"{_root} holds 2Ki, over its budget 1Ki");
        File.Exists(old).ShouldBeFalse();
    }

    [Fact]
    public async Task Premise_NotOverBudgetAndFilesystemQuiet_IsNotMetAndNothingIsDeleted()
    {
        _filesystem.UsedPercent = 10;
        WriteFile("old", TimeSpan.FromDays(30));
        WriteFile("nested/older", TimeSpan.FromDays(60));
        var before = Snapshot();
        var request = Request(_root, "older_than: 1d, recursive: true, budget: 1Mi");

        var preview = await NewAction().PreviewAsync(request, CancellationToken.None);
        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldNotBeNull().Verdict.ShouldBe(PremiseVerdict.NotMet);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Changes.ShouldBeEmpty();
        outcome.Summary.ShouldContain("within its budget 1Mi");
        outcome.Summary.ShouldContain("filesystem is 10% used");
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Premise_IsCheckedAgainJustBeforeDeleting()
    {
        var action = NewAction();
        WriteFile("old", TimeSpan.FromDays(30));
        var preview = await action.PreviewAsync(Request(_root), CancellationToken.None);
        _filesystem.UsedPercent = 30;
        var before = Snapshot();

        var outcome = await action.ExecuteAsync(Request(_root), CancellationToken.None);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Target_DiskAlertOnAnUnmappedMountpoint_IsNotApplicableAndNothingIsDeleted()
    {
        WriteFile("old", TimeSpan.FromDays(30));
        var before = Snapshot();
        var request = Request(new Dictionary<string, string> { ["alertname"] = "NodeFilesystemSpaceFillingUp", ["mountpoint"] = "/data" });

        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Target_MountpointMappedToTheCacheDirectory_IsCleaned()
    {
        var old = WriteFile("old", TimeSpan.FromDays(30));
        var request = Request(new Dictionary<string, string> { ["mountpoint"] = "/data/" }) with
        {
            Targets = new CatalogTargets { Mountpoints = new Dictionary<string, IReadOnlyList<string>> { ["/data"] = [_root] } },
        };

        var outcome = await NewAction().ExecuteAsync(request, CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        File.Exists(old).ShouldBeFalse();
    }
}

using Homeostat.Host.Actions;
using Homeostat.Remediation;

namespace Homeostat.Host.Tests.Actions;

public sealed class SafePathsTests : IDisposable
{
    private readonly string _sandbox;
    private readonly string _root;
    private readonly string _outside;

    public SafePathsTests()
    {
        _sandbox = SafePaths.RealPath(Path.Combine(Path.GetTempPath(), $"homeostat-safepaths-{Guid.NewGuid():N}"));
        _root = Path.Combine(_sandbox, "logs");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "app"));
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    [Fact]
    public void TryResolveDirectoryUnder_DirectoryInsideRoot_ResolvesIt()
    {
        SafePaths.TryResolveDirectoryUnder(Path.Combine(_root, "app"), [_root], out var resolved, out var problem).ShouldBeTrue(problem);

        resolved.ShouldBe(Path.Combine(_root, "app"));
        problem.ShouldBeEmpty();
    }

    [Fact]
    public void TryResolveDirectoryUnder_TheRootItselfWithTrailingSeparator_ResolvesIt()
    {
        SafePaths.TryResolveDirectoryUnder(_root + "/", [_root + "/"], out var resolved, out var problem).ShouldBeTrue(problem);

        resolved.ShouldBe(_root);
    }

    [Fact]
    public void TryResolveDirectoryUnder_TraversalOutOfTheRoot_IsRefused()
    {
        var candidate = _root + "/app/../../outside";

        SafePaths.TryResolveDirectoryUnder(candidate, [_root], out var resolved, out var problem).ShouldBeFalse();

        resolved.ShouldBeEmpty();
        problem.ShouldContain("is outside the allowlisted roots");
        problem.ShouldContain(_outside);
    }

    [Fact]
    public void TryResolveDirectoryUnder_SymlinkInsideRootPointingOutside_IsRefused()
    {
        var link = Path.Combine(_root, "escape");
        Directory.CreateSymbolicLink(link, _outside);

        SafePaths.TryResolveDirectoryUnder(link, [_root], out _, out var problem).ShouldBeFalse();

        problem.ShouldContain($"(really '{_outside}') is outside the allowlisted roots");
    }

    [Fact]
    public void TryResolveDirectoryUnder_PathThroughASymlinkedParent_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_outside, "deep"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);

        SafePaths.TryResolveDirectoryUnder(Path.Combine(_root, "escape", "deep"), [_root], out _, out var problem).ShouldBeFalse();

        problem.ShouldContain("outside the allowlisted roots");
    }

    [Fact]
    public void TryResolveDirectoryUnder_SymlinkedRoot_AcceptsPathsUnderItsRealLocation()
    {
        var linkedRoot = Path.Combine(_sandbox, "linked-logs");
        Directory.CreateSymbolicLink(linkedRoot, _root);

        SafePaths.TryResolveDirectoryUnder(Path.Combine(_root, "app"), [linkedRoot], out var resolved, out var problem).ShouldBeTrue(problem);

        resolved.ShouldBe(Path.Combine(_root, "app"));
    }

    [Fact]
    public void TryResolveDirectoryUnder_SiblingSharingTheRootsPrefix_IsRefused()
    {
        var sibling = _root + "-evil";
        Directory.CreateDirectory(sibling);

        SafePaths.TryResolveDirectoryUnder(sibling, [_root], out _, out var problem).ShouldBeFalse();

        problem.ShouldContain("outside the allowlisted roots");
    }

    [Theory]
    [InlineData("logs", "is not absolute")]
    [InlineData("../../etc", "is not absolute")]
    [InlineData("$(rm -rf /)", "is not absolute")]
    [InlineData("; reboot", "is not absolute")]
    [InlineData("/var/log\n/etc", "control characters")]
    [InlineData("/var/log\0/etc", "control characters")]
    [InlineData("", "no path was given")]
    [InlineData("   ", "no path was given")]
    public void TryResolveDirectoryUnder_HostileText_IsRefusedWithReason(string candidate, string reason)
    {
        SafePaths.TryResolveDirectoryUnder(candidate, [_root], out var resolved, out var problem).ShouldBeFalse();

        resolved.ShouldBeEmpty();
        problem.ShouldContain(reason);
    }

    [Fact]
    public void TryResolveDirectoryUnder_OverlongPath_IsRefused()
    {
        var candidate = _root + "/" + new string('a', SafePaths.MaxPathLength);

        SafePaths.TryResolveDirectoryUnder(candidate, [_root], out _, out var problem).ShouldBeFalse();

        problem.ShouldContain("too long");
    }

    [Fact]
    public void TryResolveDirectoryUnder_NoRootsConfigured_RefusesEverything()
    {
        SafePaths.TryResolveDirectoryUnder(_root, [], out _, out var problem).ShouldBeFalse();
        problem.ShouldBe("no allowlisted roots are configured for this action");

        SafePaths.TryResolveDirectoryUnder(_root, ["", "  "], out _, out problem).ShouldBeFalse();
        problem.ShouldBe("no allowlisted roots are configured for this action");
    }

    [Fact]
    public void TryResolveDirectoryUnder_FileOrMissingDirectory_IsRefused()
    {
        var file = Path.Combine(_root, "app.log");
        File.WriteAllText(file, "x");

        SafePaths.TryResolveDirectoryUnder(file, [_root], out _, out var problem).ShouldBeFalse();
        problem.ShouldContain("is not a directory");

        SafePaths.TryResolveDirectoryUnder(Path.Combine(_root, "missing"), [_root], out _, out problem).ShouldBeFalse();
        problem.ShouldContain("is not a directory");
    }

    [Fact]
    public void TryResolveDirectoryUnder_SymlinkLoop_IsRefusedWithoutThrowing()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "a"), Path.Combine(_root, "b"));
        File.CreateSymbolicLink(Path.Combine(_root, "b"), Path.Combine(_root, "a"));

        SafePaths.TryResolveDirectoryUnder(Path.Combine(_root, "a"), [_root], out _, out var problem).ShouldBeFalse();

        problem.ShouldNotBeEmpty();
    }

    [Fact]
    public void RealPath_RelativeSymlinkAndMissingTail_ResolvesTheLinkAndKeepsTheTail()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "current"), "app");

        SafePaths.RealPath(Path.Combine(_root, "current", "not-yet", "x.log")).ShouldBe(Path.Combine(_root, "app", "not-yet", "x.log"));
    }

    [Theory]
    [InlineData("/var/log", "/var/log", true)]
    [InlineData("/var/log/app", "/var/log", true)]
    [InlineData("/var/log/app", "/var/log/", true)]
    [InlineData("/var/logs", "/var/log", false)]
    [InlineData("/var", "/var/log", false)]
    [InlineData("/etc", "/", true)]
    public void IsUnder_PathAndRoot_ComparesWholeComponents(string path, string root, bool expected)
    {
        SafePaths.IsUnder(path, root).ShouldBe(expected);
    }

    [Fact]
    public void IsLink_SymlinkAndRegularFile_AreToldApart()
    {
        var target = Path.Combine(_outside, "secret");
        File.WriteAllText(target, "secret");
        var link = Path.Combine(_root, "link");
        File.CreateSymbolicLink(link, target);

        SafePaths.IsLink(new FileInfo(link)).ShouldBeTrue();
        SafePaths.IsLink(new FileInfo(target)).ShouldBeFalse();
    }
}

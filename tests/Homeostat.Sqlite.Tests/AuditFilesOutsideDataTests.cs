using Homeostat.Audit;
using Homeostat.Sqlite;
using Microsoft.Extensions.Options;

namespace Homeostat.Sqlite.Tests;

/// <summary>
/// The audit key and the checkpoint directory must be outside the data directory, and a symbolic link does not get
/// round that: neither a link inside the data directory pointing out nor a link outside pointing in.
/// </summary>
public sealed class AuditFilesOutsideDataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("homeostat-outside-").FullName;

    private string Data => Path.Combine(_root, "data");

    private string Outside => Path.Combine(_root, "secrets");

    public AuditFilesOutsideDataTests()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "audit.key"), "0123456789abcdef0123456789abcdef");
        File.WriteAllText(Path.Combine(Data, "audit.key"), "0123456789abcdef0123456789abcdef");
    }

    [Fact]
    public void KeyAndCheckpointsOutside_NoLinks_Accepted()
    {
        Validate(Path.Combine(Outside, "audit.key"), Path.Combine(Outside, "checkpoints")).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void KeyFile_LinkInsideTheDataDirectoryPointingOut_Refused()
    {
        var link = Path.Combine(Data, "key-link");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "audit.key"));

        var result = Validate(link, checkpoints: null);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("audit.key_file");
        result.FailureMessage.ShouldContain("is inside the data directory");
    }

    [Fact]
    public void KeyFile_LinkOutsidePointingIntoTheDataDirectory_RefusedNamingWhereItLeads()
    {
        var link = Path.Combine(Outside, "key-link");
        File.CreateSymbolicLink(link, Path.Combine(Data, "audit.key"));

        var result = Validate(link, checkpoints: null);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain($"'{link}' (which resolves to {Path.Combine(Data, "audit.key")}) is inside the data directory");
    }

    [Fact]
    public void CheckpointDirectory_ThroughALinkedParentOutsidePointingIn_Refused()
    {
        // /secrets/to-data -> /data; checkpoints at /secrets/to-data/checkpoints (not created yet) land in the data directory.
        var link = Path.Combine(Outside, "to-data");
        Directory.CreateSymbolicLink(link, Data);

        var result = Validate(Path.Combine(Outside, "audit.key"), Path.Combine(link, "checkpoints"));

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("audit.checkpoints.directory");
    }

    [Fact]
    public void DataDirectoryItselfALink_KeyInItsTarget_Refused()
    {
        var linkedData = Path.Combine(_root, "data-link");
        Directory.CreateSymbolicLink(linkedData, Data);

        var result = Validate(Path.Combine(Data, "audit.key"), checkpoints: null, data: linkedData);

        result.Failed.ShouldBeTrue();
    }

    [Fact]
    public void RelativeLinkTarget_IsResolvedFromTheLinksDirectory()
    {
        var link = Path.Combine(Outside, "relative-link");
        File.CreateSymbolicLink(link, Path.Combine("..", "data", "audit.key"));

        AuditOptionsValidator.RealPath(link).ShouldBe(Path.Combine(Data, "audit.key"));
        Validate(link, checkpoints: null).Failed.ShouldBeTrue();
    }

    private ValidateOptionsResult Validate(string keyFile, string? checkpoints, string? data = null)
    {
        var options = new AuditOptions { KeyFile = keyFile };
        options.Checkpoints.Directory = checkpoints;
        return new AuditFilesOutsideDataValidator(Options.Create(new SqliteStoreOptions { DataDirectory = data ?? Data })).Validate(null, options);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

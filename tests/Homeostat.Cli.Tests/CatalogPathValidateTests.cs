namespace Homeostat.Cli.Tests;

public sealed class CatalogPathValidateTests
{
    // Found by the fuzzer (ConfigLoaderFuzzTests): a catalog path that names no file was reported at the missing file,
    // line 0, instead of at the config key that names it.
    [Fact]
    public async Task Validate_ACatalogPathThatNamesNoFile_IsReportedAtTheCatalogPathKey()
    {
        using var temp = new TempDirectory();
        var config = temp.Write("homeostat.yaml", """
            catalog:
              path: 0o17
            """);

        var result = await CliRunner.RunAsync("validate", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain($"{config}:2:9: catalog.path: the catalog cannot be read: Could not find file");
    }
}

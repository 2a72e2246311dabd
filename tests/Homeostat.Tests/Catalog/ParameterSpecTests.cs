using Homeostat.Catalog;

namespace Homeostat.Tests.Catalog;

public sealed class ParameterSpecTests
{
    private static readonly ParameterSpec Endpoint = new("endpoint", ParameterKind.String, "an endpoint name") { Pattern = "[A-Za-z0-9][A-Za-z0-9_.-]*" };

    private static readonly ParameterSpec Names = new("names", ParameterKind.StringList, "file names") { Pattern = "[a-z.]+" };

    // Found by the fuzzer (MatcherFuzzTests): '$' also matches before a final newline, so "20\n" passed the pattern.
    [Theory]
    [InlineData("20\n")]
    [InlineData("hooks\n")]
    public void TryConvert_AValueFollowedByANewline_IsRefused(string value)
    {
        Endpoint.TryConvert(value, out var converted, out var error).ShouldBeFalse();

        converted.ShouldBeNull();
        error.ShouldBe("must match [A-Za-z0-9][A-Za-z0-9_.-]*");
    }

    [Fact]
    public void TryConvert_AListItemFollowedByANewline_IsRefused()
    {
        Names.TryConvert(new List<string> { "app.log", "error.log\n" }, out _, out var error).ShouldBeFalse();

        error.ShouldBe("item 'error.log\n' does not match [a-z.]+");
    }

    [Fact]
    public void TryConvert_AWholeMatch_IsAccepted()
    {
        Endpoint.TryConvert("hooks-1", out var converted, out _).ShouldBeTrue();

        converted.ShouldBe("hooks-1");
    }
}

using Homeostat.Primitives;

namespace Homeostat.Tests.Primitives;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("512Mi", 512L * 1024 * 1024)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("100MB", 100_000_000L)]
    [InlineData("4096", 4096L)]
    [InlineData("0", 0L)]
    [InlineData("2Ki", 2048L)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("10k", 10_000L)]
    [InlineData("3GiB", 3L << 30)]
    [InlineData("100 MB", 100_000_000L)]
    [InlineData("7B", 7L)]
    public void TryParse_SizeForm_GivesTheBytes(string text, long expected)
    {
        ByteSize.TryParse(text, out var size).ShouldBeTrue();

        size.Bytes.ShouldBe(expected);
    }

    [Theory]
    [InlineData("1Zi")]
    [InlineData("5x")]
    [InlineData("-5Mi")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Mi")]
    [InlineData("512mi")]
    [InlineData("lots")]
    [InlineData("1e3")]
    [InlineData("99999999999Ti")]
    [InlineData("100000000000000000000000000000000")]
    [InlineData("79228162514264337593543950335Ti")]
    public void TryParse_NotASize_IsRejectedWithoutThrowing(string? text)
    {
        ByteSize.TryParse(text, out var size).ShouldBeFalse();

        size.ShouldBe(default);
    }

    [Fact]
    public void Parse_NotASize_ThrowsFormatExceptionNamingTheText()
    {
        var exception = Should.Throw<FormatException>(() => ByteSize.Parse("1Zi"));

        exception.Message.ShouldContain("'1Zi'");
    }

    [Theory]
    [InlineData("536870912", "512Mi")]
    [InlineData("1Gi", "1Gi")]
    [InlineData("4096", "4Ki")]
    [InlineData("1000", "1000")]
    public void ToString_ExactBinaryMultiple_UsesTheLargestUnit(string text, string expected)
    {
        var size = ByteSize.Parse(text);

        size.ToString().ShouldBe(expected);
        ByteSize.Parse(size.ToString()).ShouldBe(size);
    }

    [Fact]
    public void CompareTo_LargerSize_SortsAfter()
    {
        ByteSize.Parse("1023Mi").CompareTo(ByteSize.Parse("1Gi")).ShouldBeLessThan(0);
        ByteSize.Parse("1024Mi").CompareTo(ByteSize.Parse("1Gi")).ShouldBe(0);
    }
}

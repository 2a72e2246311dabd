using Homeostat.Primitives;
using Homeostat.Signals;

namespace Homeostat.Tests.Primitives;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("a\u202Eb", "a\\u202eb")]
    [InlineData("a\u2066b\u2069", "a\\u2066b\\u2069")]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData("line\nnext\r", "line\\u000anext\\u000d")]
    [InlineData("zero\u200Bwidth", "zero\\u200bwidth")]
    [InlineData("sep\u2028arator", "sep\\u2028arator")]
    [InlineData("café ✓ 😀", "café ✓ 😀")]
    public void Escape_ShowsUnsafeCharactersAndKeepsPrintableOnes(string text, string shown) =>
        TerminalText.Escape(text).ShouldBe(shown);

    [Fact]
    public void Escape_ShowsALoneSurrogate() => TerminalText.Escape("lone" + (char)0xD800).ShouldBe("lone\\ud800");

    [Fact]
    public void Escape_CutsLongTextWithAnEllipsis() =>
        TerminalText.Escape(new string('x', 10), 4).ShouldBe("xxxx…");

    [Fact]
    public void EscapeJson_StaysTheSameJson()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { v = "a\u202Eb\u200B" }, HomeostatJson.Options);

        var escaped = TerminalText.EscapeJson(json);

        escaped.ShouldNotContain("\u202E");
        System.Text.Json.JsonDocument.Parse(escaped).RootElement.GetProperty("v").GetString().ShouldBe("a\u202Eb\u200B");
    }
}

public sealed class TrailingNewlineTests
{
    [Theory]
    [InlineData("name\n")]
    [InlineData("name\r\n")]
    public void LabelNames_WithATrailingNewline_AreInvalid(string name) => LabelNames.IsValid(name).ShouldBeFalse();

    [Fact]
    public void Rfc3339_WithATrailingNewline_IsInvalid() => Rfc3339.TryParse("2026-11-27T23:51:05Z\n", out _).ShouldBeFalse();

    [Fact]
    public void SignalIds_WithATrailingNewline_AreRefused()
    {
        var result = new SignalParser(TimeProvider.System).ParseDocument("""{"source": "api", "id": "sig-1\n", "title": "x"}""");

        result.Errors.ShouldHaveSingleItem().Field.ShouldBe("$.id");
    }
}

using Homeostat.TestKit;

namespace Homeostat.Llm.Tests;

public sealed class LlmPromptTests
{
    [Fact]
    public void For_SameSignal_GivesTheSamePromptEveryTime()
    {
        var signal = SignalBuilder.Oom();

        var first = LlmPrompt.For(signal, LlmHarness.Classes, 4000);
        var second = LlmPrompt.For(signal, LlmHarness.Classes, 4000);

        second.Messages.Select(m => m.Text).ShouldBe(first.Messages.Select(m => m.Text));
        first.Options.Temperature.ShouldBe(0);
    }

    [Fact]
    public void For_HtmlSensitiveAndNonAsciiText_EscapesTheMarkerCharactersOnly()
    {
        var signal = SignalBuilder.Unclassifiable() with { Text = "Plattenplatz fast voll <<<x>>> ünd 'quoted'" };

        var prompt = LlmPrompt.For(signal, LlmHarness.Classes, 4000);

        prompt.SignalJson.ShouldNotContain("<");
        prompt.SignalJson.ShouldNotContain(">");
        prompt.SignalJson.ShouldContain("ünd");
    }

    [Fact]
    public void For_ManyLabels_KeepsWholeKeysWithinTheBudget()
    {
        var labels = Enumerable.Range(0, 100).ToDictionary(i => $"label_{i:000}", i => new string('v', 50));
        var signal = SignalBuilder.Unclassifiable() with { Labels = labels, Text = "tail" };

        var prompt = LlmPrompt.For(signal, LlmHarness.Classes, 1000);

        prompt.Truncated.ShouldBeTrue();
        var data = System.Text.Json.JsonDocument.Parse(prompt.SignalJson).RootElement;
        data.GetProperty("labels").EnumerateObject().ShouldAllBe(p => p.Name.StartsWith("label_"));
        data.TryGetProperty("text", out _).ShouldBeFalse();
    }
}

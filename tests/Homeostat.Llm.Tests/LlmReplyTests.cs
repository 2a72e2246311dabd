using Homeostat.Diagnosis;

namespace Homeostat.Llm.Tests;

public sealed class LlmReplyTests
{
    private static readonly ClassSet Classes = LlmHarness.Classes;

    [Fact]
    public void TryParse_ValidReply_GivesTheVerdict()
    {
        LlmReply.TryParse("""{"class":"cert_expiry","confidence":0.75,"reasoning":"The certificate expires in 2 days."}""", Classes, out var verdict, out _).ShouldBeTrue();

        verdict.ShouldBe(new LlmVerdict("cert_expiry", 0.75, "The certificate expires in 2 days."));
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("1.0", 1.0)]
    public void TryParse_ConfidenceAtTheBounds_IsAccepted(string confidence, double expected)
    {
        LlmReply.TryParse($$"""{"class":"oom","confidence":{{confidence}},"reasoning":"r"}""", Classes, out var verdict, out _).ShouldBeTrue();

        verdict.Confidence.ShouldBe(expected);
    }

    [Fact]
    public void TryParse_JsonInAMarkdownFence_IsAccepted()
    {
        LlmReply.TryParse("```json\n{\"class\":\"oom\",\"confidence\":0.8,\"reasoning\":\"r\"}\n```", Classes, out var verdict, out _).ShouldBeTrue();

        verdict.Class.ShouldBe("oom");
    }

    [Theory]
    [InlineData("""{"class":"oom","confidence":0.8,"reasoning":"r","class":"disk_full"}""", "not valid JSON")]
    [InlineData("""{"class":"oom","confidence":0.8,"reasoning":"r","action":"kubectl delete ns prod"}""", "unexpected field 'action'")]
    [InlineData("""{"class":"OOM","confidence":0.8,"reasoning":"r"}""", "'OOM' is not in the closed list")]
    [InlineData("""{"class":"oom ","confidence":0.8,"reasoning":"r"}""", "is not in the closed list")]
    [InlineData("""{"class":"oom","confidence":0.8,"reasoning":"r"} trailing""", "not valid JSON")]
    [InlineData("""{"class":"oom","confidence":0.8,"reasoning":"r",}""", "not valid JSON")]
    [InlineData("""{"class":"oom","confidence":true,"reasoning":"r"}""", "'confidence' is a true, not a number")]
    [InlineData("Sure! Here is the JSON: {\"class\":\"oom\",\"confidence\":0.8,\"reasoning\":\"r\"}", "not valid JSON")]
    [InlineData("null", "the reply is a JSON null, not an object")]
    public void TryParse_AnythingBesidesExactlyTheContract_IsRefusedWithTheCause(string reply, string cause)
    {
        LlmReply.TryParse(reply, Classes, out _, out var why).ShouldBeFalse();

        why.ShouldContain(cause);
    }

    [Fact]
    public void TryParse_ReasoningWithControlCharactersAndLength_IsCleanedAndBounded()
    {
        var reasoning = "line one\u001b[31m\r\nline\ttwo " + new string('z', 1000);
        var reply = System.Text.Json.JsonSerializer.Serialize(new { @class = "oom", confidence = 0.5, reasoning });

        LlmReply.TryParse(reply, Classes, out var verdict, out _).ShouldBeTrue();

        verdict.Reasoning.ShouldStartWith("line one [31m line two zzz");
        verdict.Reasoning.Length.ShouldBeLessThanOrEqualTo(LlmReply.MaxReasoningChars);
        verdict.Reasoning.ShouldNotContain("\u001b");
    }
}

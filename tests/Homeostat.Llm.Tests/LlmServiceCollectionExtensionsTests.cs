using Homeostat.Diagnosis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Llm.Tests;

public sealed class LlmServiceCollectionExtensionsTests
{
    [Fact]
    public void AddLlm_Disabled_RegistersNoClassifierMemberAndNoChatClient()
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?> { ["Llm:Enabled"] = "false", ["Llm:Endpoint"] = "not a url" });

        services.GetRequiredService<IStartupValidator>().Validate();
        services.GetServices<IClassifierMember>().ShouldBeEmpty();
        services.GetKeyedService<IChatClient>(LlmServiceCollectionExtensions.ChatClientKey).ShouldBeNull();
        services.GetService<IChatClient>().ShouldBeNull();
    }

    [Fact]
    public void AddLlm_NoLlmSection_IsDisabledByDefault()
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?>());

        services.GetRequiredService<IStartupValidator>().Validate();
        services.GetServices<IClassifierMember>().ShouldBeEmpty();
        services.GetRequiredService<IOptions<LlmOptions>>().Value.ShouldSatisfyAllConditions(
            o => o.Enabled.ShouldBeFalse(),
            o => o.Timeout.Value.ShouldBe(TimeSpan.FromSeconds(10)),
            o => o.MaxSignalChars.ShouldBe(4000));
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini")]
    [InlineData("ollama", "llama3.1:8b")]
    [InlineData("OpenAI", "gpt-4o-mini")]
    public void AddLlm_Enabled_RegistersTheLlmClassifierAndAChatClientForTheProvider(string provider, string model)
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?>
        {
            ["Llm:Enabled"] = "true",
            ["Llm:Provider"] = provider,
            ["Llm:Endpoint"] = "http://127.0.0.1:11434",
            ["Llm:Model"] = model,
            ["Llm:Timeout"] = "30s",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        services.GetServices<IClassifierMember>().ShouldHaveSingleItem().ShouldBeOfType<LlmClassifier>().Name.ShouldBe(ClassifierNames.Llm);
        var chat = services.GetRequiredKeyedService<IChatClient>(LlmServiceCollectionExtensions.ChatClientKey);
        var metadata = chat.GetService<ChatClientMetadata>().ShouldNotBeNull();
        metadata.DefaultModelId.ShouldBe(model);
        services.GetRequiredService<IOptions<LlmOptions>>().Value.Timeout.Value.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("ftp://models.example/v1", "llm.endpoint 'ftp://models.example/v1' must be an absolute http or https URL")]
    [InlineData("/v1/chat", "llm.endpoint '/v1/chat' must be an absolute http or https URL")]
    [InlineData("", "llm.endpoint is required when the LLM is enabled")]
    public void AddLlm_EnabledWithABadEndpoint_FailsValidationWithAClearMessage(string endpoint, string message)
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?>
        {
            ["Llm:Enabled"] = "true",
            ["Llm:Endpoint"] = endpoint,
            ["Llm:Model"] = "gpt-4o-mini",
        });

        var error = Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        error.Message.ShouldContain(message);
    }

    [Fact]
    public void AddLlm_EnabledWithSeveralErrors_ReportsThemAllAtOnce()
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?>
        {
            ["Llm:Enabled"] = "true",
            ["Llm:Provider"] = "anthropic",
            ["Llm:Endpoint"] = "https://user:secret@models.example/v1",
            ["Llm:ApiKeyEnv"] = "sk-not-a-name",
            ["Llm:Timeout"] = "0",
            ["Llm:MaxSignalChars"] = "10",
        });

        var error = Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        error.Failures.ShouldBe(
        [
            "llm.provider 'anthropic' is not one of openai, ollama",
            "llm.endpoint must not contain credentials; put the key in the environment variable named by llm.api_key_env",
            "llm.model is required when the LLM is enabled",
            "llm.api_key_env must be the name of an environment variable (letters, digits and _), not the key itself",
            "llm.timeout must be longer than zero and at most 5m (got 0s)",
            "llm.max_signal_chars must be between 200 and 100000 (got 10)",
        ]);
        error.Message.ShouldNotContain("secret");
        error.Message.ShouldNotContain("sk-not-a-name");
    }

    [Fact]
    public void AddLlm_UnknownKey_IsAnErrorAtStartUp()
    {
        using var services = LlmHarness.BuildServices(new Dictionary<string, string?>
        {
            ["Llm:Enabled"] = "true",
            ["Llm:Endpoint"] = "http://127.0.0.1:8080/v1",
            ["Llm:Model"] = "qwen2.5",
            ["Llm:ApiKey"] = "sk-should-be-in-the-environment",
        });

        var error = Should.Throw<InvalidOperationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        error.Message.ShouldContain("ApiKey");
        error.Message.ShouldNotContain("sk-should-be-in-the-environment");
    }
}

using Homeostat.Primitives;

namespace Homeostat.Llm;

/// <summary>
/// The optional LLM classifier (section <c>Llm</c>). Off by default: Homeostat works fully without it. The key is
/// never written in configuration, only the name of the environment variable that holds it.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>Adds the LLM as an ensemble member. When false nothing else here is read or checked.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>openai</c> (any OpenAI-compatible endpoint: OpenAI, Azure OpenAI's v1 endpoint, vLLM, llama.cpp server) or <c>ollama</c>.</summary>
    public string Provider { get; set; } = LlmProviders.OpenAi;

    /// <summary>
    /// The API's base URL: for <c>openai</c> the part before <c>/chat/completions</c> (for example
    /// <c>https://api.openai.com/v1</c>); for <c>ollama</c> the server (for example <c>http://127.0.0.1:11434</c>).
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The model name the provider knows, such as <c>gpt-4o-mini</c> or <c>llama3.1:8b</c>.</summary>
    public string? Model { get; set; }

    /// <summary>Name of the environment variable holding the API key, sent as a bearer token. The key is never logged.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>The longest one classification may take; past it the answer is <c>unknown</c>.</summary>
    public Duration Timeout { get; set; } = Duration.Parse("10s");

    /// <summary>At most this many characters of the signal are sent to the model.</summary>
    public int MaxSignalChars { get; set; } = 4000;
}

public static class LlmProviders
{
    public const string OpenAi = "openai";
    public const string Ollama = "ollama";

    public static readonly IReadOnlyList<string> All = [OpenAi, Ollama];
}

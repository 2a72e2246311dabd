namespace Homeostat.Llm;

/// <summary>Marks the LLM-classifier assembly.</summary>
public static class LlmAssembly;

namespace Homeostat.Learning;

/// <summary>Marks the learned-classifier assembly.</summary>
public static class LearningAssembly;

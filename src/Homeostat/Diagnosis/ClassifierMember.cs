namespace Homeostat.Diagnosis;

/// <summary>
/// A classifier that takes part in the ensemble (rules, the learned model, the LLM). The ensemble is what the loop
/// calls; members are registered with this interface so they can be added without the loop knowing.
/// </summary>
public interface IClassifierMember : IClassifier;

namespace Homeostat.Healing;

/// <summary>
/// The store cannot be opened by this binary (its schema is newer, or it is not a Homeostat store). A start-up
/// error for the operator, reported as one line like a configuration error.
/// </summary>
public sealed class StoreIncompatibleException(string message) : Exception(message);

namespace Homeostat.Signals;

/// <summary>A violation of a public contract: which field, what is wrong with it, and the offending value.</summary>
public sealed record ContractError(string Field, string Message, string? Value = null)
{
    public override string ToString() => Value is null ? $"{Field}: {Message}" : $"{Field}: {Message} (got {Value})";
}

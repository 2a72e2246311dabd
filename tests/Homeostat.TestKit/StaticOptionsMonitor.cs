using Microsoft.Extensions.Options;

namespace Homeostat.TestKit;

/// <summary>An <see cref="IOptionsMonitor{TOptions}"/> that always returns the same options and never reports a change.</summary>
public sealed class StaticOptionsMonitor<TOptions>(TOptions value) : IOptionsMonitor<TOptions>
{
    public TOptions CurrentValue { get; } = value;

    public TOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}

/// <summary>Creates a <see cref="StaticOptionsMonitor{TOptions}"/> without spelling out the type.</summary>
public static class StaticOptionsMonitor
{
    public static StaticOptionsMonitor<TOptions> Of<TOptions>(TOptions value) => new(value);
}

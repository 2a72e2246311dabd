using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Probes;

/// <summary>
/// One kind of probe: what its options must hold and how to build it. A module registers its kinds (the host module
/// the host kinds, PostgreSQL its <c>postgres_connections</c>), so the engine needs no reference to any of them.
/// </summary>
public interface IProbeKind
{
    /// <summary>The <c>kind:</c> value in the config.</summary>
    string Kind { get; }

    IProbe Create(ProbeOptions options);

    /// <summary>What is wrong with options of this kind, each message naming the YAML field; empty when valid.</summary>
    IEnumerable<string> Validate(ProbeOptions options);
}

/// <summary>The registered probe kinds by name; a kind registered twice keeps the last registration.</summary>
public sealed class ProbeKindCatalog(IEnumerable<IProbeKind> kinds)
{
    private readonly Dictionary<string, IProbeKind> _kinds = kinds
        .GroupBy(k => k.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public IReadOnlyList<string> Names => _kinds.Keys.Order(StringComparer.Ordinal).ToList();

    public IProbeKind? Find(string kind) => _kinds.GetValueOrDefault(kind);

    public IProbe Create(ProbeOptions options) =>
        Find(options.Kind)?.Create(options) ?? throw new ArgumentException($"unknown probe kind '{options.Kind}'", nameof(options));
}

public static class ProbeKindServiceCollectionExtensions
{
    /// <summary>Registers a probe kind; adding the same kind type twice is harmless.</summary>
    public static IServiceCollection AddProbeKind<TKind>(this IServiceCollection services)
        where TKind : class, IProbeKind
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeKind, TKind>());
        return services;
    }
}

namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// The real-stack classes run one after another: each starts its own Prometheus, Alertmanager and node_exporter, and
/// several stacks starting at once on a two-core machine made start-up and the measured latencies depend on each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealStackCollection
{
    public const string Name = "RealStack";
}

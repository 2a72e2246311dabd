namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// A fact that needs the real monitoring binaries: skipped, with the reason, only when they are not installed (CI
/// installs them; scripts/test.sh says how).
/// </summary>
public sealed class RealStackFactAttribute : FactAttribute
{
    public RealStackFactAttribute()
    {
        var missing = new[] { MonitoringStack.NodeExporter, MonitoringStack.Prometheus, MonitoringStack.Alertmanager }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            Skip = $"{string.Join(", ", missing)} not installed: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager prometheus-node-exporter";
        }
    }
}

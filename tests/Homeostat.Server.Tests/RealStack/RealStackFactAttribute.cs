namespace Homeostat.Server.Tests.RealStack;

/// <summary>
/// A fact that needs the real monitoring binaries: skipped, with the reason, when they are not installed on a
/// developer's machine. Under CI (CI=true) it is never skipped: scripts/test.sh installs the binaries there, so a
/// missing one must fail the run rather than hide the end-to-end tests.
/// </summary>
public sealed class RealStackFactAttribute : FactAttribute
{
    public RealStackFactAttribute()
    {
        var missing = new[] { MonitoringStack.NodeExporter, MonitoringStack.Prometheus, MonitoringStack.Alertmanager }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0 && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{string.Join(", ", missing)} not installed: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager prometheus-node-exporter";
        }
    }
}

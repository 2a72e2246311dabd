using System.Globalization;
using System.Text;

namespace Homeostat.TestKit;

/// <summary>Catalog YAML for tests, written the way engineers write it: a disk_full remediation under test plus the seed's others.</summary>
public static class CatalogBuilder
{
    public static string DiskFull(
        double floor = 0.80,
        bool auto = true,
        string verifyAfter = "1m",
        string verifyTimeout = "10m",
        string? rateLimit = null,
        string? shadowPeriod = null,
        bool? dryRun = null,
        bool approval = false)
    {
        var yaml = new StringBuilder()
            .AppendLine("remediations:")
            .AppendLine("  disk_full:")
            .AppendLine("    action: rotate_and_compress_logs")
            .AppendLine(CultureInfo.InvariantCulture, $"    confidence_floor: {floor.ToString(CultureInfo.InvariantCulture)}")
            .AppendLine(CultureInfo.InvariantCulture, $"    auto: {(auto ? "true" : "false")}")
            .AppendLine(CultureInfo.InvariantCulture, $"    verify: {{ after: {verifyAfter}, timeout: {verifyTimeout} }}");
        if (rateLimit is not null)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    rate_limit: {rateLimit}");
        }

        if (shadowPeriod is not null)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    shadow_period: {shadowPeriod}");
        }

        if (dryRun is not null)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    dry_run: {(dryRun.Value ? "true" : "false")}");
        }

        if (approval)
        {
            yaml.AppendLine("    approval: required");
        }

        return yaml
            .AppendLine("  oom:")
            .AppendLine("    action: scale_memory_limit")
            .AppendLine("    max_increase: 512Mi")
            .AppendLine("    confidence_floor: 0.85")
            .AppendLine("    auto: true")
            .AppendLine("  dependency_timeout:")
            .AppendLine("    action: open_circuit_breaker")
            .AppendLine("    confidence_floor: 1.0")
            .AppendLine("    auto: false")
            .ToString();
    }
}

using Homeostat.Catalog;
using Homeostat.Remediation;
using Homeostat.Signals;

namespace Homeostat.Tests.Catalog;

/// <summary>The catalog's <c>targets:</c> section: what it maps, how a signal finds its entry, and located errors.</summary>
public sealed class CatalogTargetsTests
{
    private const string Remediations = """
        remediations:
          disk_full:
            action: rotate_and_compress_logs
            confidence_floor: 0.8
            auto: true
        """;

    private static CatalogLoadResult Load(string targets) =>
        new CatalogLoader(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))))
            .Load(targets + "\n" + Remediations, "catalog.yaml");

    private static Signal Alert(Dictionary<string, string> labels, string? service = null) =>
        new() { Id = "s", Source = SignalSources.Alertmanager, Labels = labels, Service = service };

    [Fact]
    public void Load_MountpointsDevicesAndServices_AreMappedAndLookedUpInThatOrder()
    {
        var result = Load("""
            targets:
              mountpoints:
                "/": [ /var/log/app, /var/log/nginx/ ]
                /data/: /data/logs
              devices:
                /dev/sdb1: [ /srv/cache ]
              services:
                checkout: [ /var/log/checkout ]
            """);

        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        var targets = result.Catalog!.Targets;
        targets.Mountpoints["/"].ShouldBe(["/var/log/app", "/var/log/nginx"]);
        targets.Mountpoints["/data"].ShouldBe(["/data/logs"]);

        targets.Resolve(Alert(new() { ["mountpoint"] = "/", ["device"] = "/dev/sdb1" }, "checkout"))!.ShouldBe(
            new MappedTarget("mountpoint '/'", targets.Mountpoints["/"]));
        targets.Resolve(Alert(new() { ["mountpoint"] = "/data/" }))!.Directories.ShouldBe(["/data/logs"]);
        targets.Resolve(Alert(new() { ["mountpoint"] = "/boot", ["device"] = "/dev/sdb1" }))!.Via.ShouldBe("device '/dev/sdb1'");
        targets.Resolve(Alert(new() { ["mountpoint"] = "/boot" }, "checkout"))!.Via.ShouldBe("service 'checkout'");
        targets.Resolve(Alert(new() { ["service"] = "checkout" }))!.Directories.ShouldBe(["/var/log/checkout"]);
        targets.Resolve(Alert(new() { ["mountpoint"] = "/boot" }, "billing")).ShouldBeNull();
    }

    [Fact]
    public void Load_NoTargetsSection_MapsNothing()
    {
        var result = Load(string.Empty);

        result.Catalog!.Targets.IsEmpty.ShouldBeTrue();
        result.Catalog.Targets.Resolve(Alert(new() { ["mountpoint"] = "/" })).ShouldBeNull();
    }

    [Theory]
    [InlineData("targets: [ /var/log ]", "1:10: targets: must be a mapping")]
    [InlineData("targets:\n  mountpoint:\n    \"/\": [ /var/log ]", "2:3: targets.mountpoint: unknown key (did you mean 'mountpoints'?)")]
    [InlineData("targets:\n  mountpoints:\n    var/log: [ /var/log ]", "3:5: targets.mountpoints.var/log: must be an absolute mountpoint path")]
    [InlineData("targets:\n  mountpoints:\n    \"/\": [ var/log ]", "3:12: targets.mountpoints./: must be an absolute directory path (starting with /) (value: 'var/log')")]
    [InlineData("targets:\n  mountpoints:\n    \"/\": [ /var/log/../../etc ]", "3:12: targets.mountpoints./: must not contain '.' or '..' segments")]
    [InlineData("targets:\n  mountpoints:\n    \"/\": [ /var/log, /var/log/ ]", "3:22: targets.mountpoints./: lists this directory twice")]
    [InlineData("targets:\n  mountpoints:\n    \"/\": []", "3:10: targets.mountpoints./: must list at least one directory")]
    [InlineData("targets:\n  mountpoints:\n    \"/data\": [ /a ]\n    \"/data/\": [ /b ]", "4:5: targets.mountpoints./data/: is given twice")]
    [InlineData("targets:\n  services:\n    \"check out\": [ /var/log/x ]", "3:5: targets.services.check out: must be a service name")]
    [InlineData("targets:\n  services:\n    checkout: { dir: /var/log/x }", "3:15: targets.services.checkout: must list at least one directory")]
    public void Load_BadEntry_IsALocatedErrorAndTheCatalogIsNotUsed(string targets, string expected)
    {
        var result = Load(targets);

        result.Catalog.ShouldBeNull();
        result.Errors.Select(e => e.ToString()).ShouldContain(e => e.StartsWith("catalog.yaml:" + expected, StringComparison.Ordinal), string.Join("\n", result.Errors));
    }
}

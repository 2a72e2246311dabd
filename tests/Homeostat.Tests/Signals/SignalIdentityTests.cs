using Homeostat.Signals;

namespace Homeostat.Tests.Signals;

public sealed class SignalIdentityTests
{
    private static Signal NewSignal(IReadOnlyDictionary<string, string>? labels = null, string? service = null, string? fingerprint = null, SignalResource? resource = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Source = SignalSources.Prometheus,
        Title = "HighErrorRate",
        Service = service,
        Labels = labels ?? new Dictionary<string, string>(),
        Fingerprint = fingerprint,
        Resource = resource,
    };

    [Fact]
    public void FingerprintOf_SameLabelsInAnotherOrder_IsEqual()
    {
        var first = NewSignal(new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["service"] = "checkout", ["severity"] = "critical" });
        var second = NewSignal(new Dictionary<string, string> { ["severity"] = "critical", ["alertname"] = "HighErrorRate", ["service"] = "checkout" });

        SignalIdentity.FingerprintOf(second).ShouldBe(SignalIdentity.FingerprintOf(first));
    }

    [Fact]
    public void FingerprintOf_OnlyVolatileLabelsDiffer_IsEqual()
    {
        var first = NewSignal(new Dictionary<string, string>
        {
            ["service"] = "checkout", ["value"] = "0.93", ["pod_template_hash"] = "7d9f8", ["endpoint"] = "http", ["uid"] = "a-1", ["controller_revision_hash"] = "r1",
        });
        var second = NewSignal(new Dictionary<string, string>
        {
            ["service"] = "checkout", ["value"] = "0.97", ["pod_template_hash"] = "5c4b2", ["endpoint"] = "metrics", ["uid"] = "b-2",
        });

        SignalIdentity.FingerprintOf(second).ShouldBe(SignalIdentity.FingerprintOf(first));
    }

    [Fact]
    public void FingerprintOf_DifferentServices_Differs()
    {
        var checkout = NewSignal(new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["service"] = "checkout" });
        var payments = NewSignal(new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["service"] = "payments" });

        SignalIdentity.FingerprintOf(payments).ShouldNotBe(SignalIdentity.FingerprintOf(checkout));
    }

    [Fact]
    public void FingerprintOf_ServiceFieldDiffersWithSameLabels_Differs()
    {
        var labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate" };

        SignalIdentity.FingerprintOf(NewSignal(labels, service: "payments"))
            .ShouldNotBe(SignalIdentity.FingerprintOf(NewSignal(labels, service: "checkout")));
    }

    [Fact]
    public void FingerprintOf_NonVolatileLabelDiffers_Differs()
    {
        var critical = NewSignal(new Dictionary<string, string> { ["service"] = "checkout", ["severity"] = "critical" });
        var warning = NewSignal(new Dictionary<string, string> { ["service"] = "checkout", ["severity"] = "warning" });

        SignalIdentity.FingerprintOf(warning).ShouldNotBe(SignalIdentity.FingerprintOf(critical));
    }

    [Fact]
    public void FingerprintOf_DifferentResource_Differs()
    {
        var labels = new Dictionary<string, string> { ["service"] = "checkout" };

        SignalIdentity.FingerprintOf(NewSignal(labels, resource: new SignalResource { Host = "node-1" }))
            .ShouldNotBe(SignalIdentity.FingerprintOf(NewSignal(labels, resource: new SignalResource { Host = "node-2" })));
    }

    [Fact]
    public void FingerprintOf_SourceFingerprintGiven_WinsOverEverythingElse()
    {
        var signal = NewSignal(new Dictionary<string, string> { ["service"] = "checkout" }, fingerprint: "d5bf79b5ca6dc083");
        var otherService = NewSignal(new Dictionary<string, string> { ["service"] = "payments" }, fingerprint: "d5bf79b5ca6dc083");

        SignalIdentity.FingerprintOf(signal).ShouldBe("d5bf79b5ca6dc083");
        SignalIdentity.FingerprintOf(otherService).ShouldBe("d5bf79b5ca6dc083");
    }

    [Fact]
    public void FingerprintOf_BlankSourceFingerprint_IsDerived()
    {
        var signal = NewSignal(new Dictionary<string, string> { ["service"] = "checkout" }, fingerprint: "  ");

        SignalIdentity.FingerprintOf(signal).ShouldBe(SignalIdentity.FingerprintOf(signal with { Fingerprint = null }));
        SignalIdentity.FingerprintOf(signal).Length.ShouldBe(16);
    }

    [Fact]
    public void FingerprintOf_TextOnlySignals_DependOnTheText()
    {
        var disk = new Signal { Id = "1", Source = SignalSources.Log, Text = "No space left on device" };
        var cert = new Signal { Id = "2", Source = SignalSources.Log, Text = "certificate has expired" };

        SignalIdentity.FingerprintOf(disk).ShouldNotBe(SignalIdentity.FingerprintOf(cert));
        SignalIdentity.FingerprintOf(disk).ShouldBe(SignalIdentity.FingerprintOf(disk with { Id = "3" }));
    }

    public static TheoryData<string, string> ServiceLabelOrder => new()
    {
        // Each row removes the labels before it; the first remaining label in order names the service.
        { "service", "from-service" },
        { "app", "from-app" },
        { "app_kubernetes_io_name", "from-app-kubernetes-io-name" },
        { "deployment", "from-deployment" },
        { "statefulset", "from-statefulset" },
        { "job", "from-job" },
        { "container", "from-container" },
    };

    [Theory]
    [MemberData(nameof(ServiceLabelOrder))]
    public void ServiceOf_NoServiceField_TakesTheFirstLabelInOrder(string label, string expected)
    {
        string[] order = ["service", "app", "app_kubernetes_io_name", "deployment", "statefulset", "job", "container"];
        var labels = order.Skip(Array.IndexOf(order, label))
            .ToDictionary(l => l, l => "from-" + l.Replace('_', '-'));

        SignalIdentity.ServiceOf(NewSignal(labels, resource: new SignalResource { Name = "from-resource" })).ShouldBe(expected);
    }

    [Fact]
    public void ServiceOf_ServiceFieldSet_WinsOverLabels()
    {
        var signal = NewSignal(new Dictionary<string, string> { ["service"] = "from-label", ["app"] = "from-app" }, service: "from-field");

        SignalIdentity.ServiceOf(signal).ShouldBe("from-field");
    }

    [Fact]
    public void ServiceOf_BlankLabel_IsSkipped()
    {
        var signal = NewSignal(new Dictionary<string, string> { ["service"] = " ", ["app"] = "checkout" }, service: "");

        SignalIdentity.ServiceOf(signal).ShouldBe("checkout");
    }

    [Fact]
    public void ServiceOf_NoLabels_FallsBackToResourceNameThenHostThenUnknown()
    {
        SignalIdentity.ServiceOf(NewSignal(resource: new SignalResource { Name = "checkout-7d9f", Host = "node-3" })).ShouldBe("checkout-7d9f");
        SignalIdentity.ServiceOf(NewSignal(resource: new SignalResource { Host = "node-3" })).ShouldBe("node-3");
        SignalIdentity.ServiceOf(NewSignal()).ShouldBe("unknown");
    }
}

using Homeostat.Configuration;
using System.Text.Json.Nodes;
using Homeostat.Host.Actions.Certificates;
using Homeostat.Kubernetes.Actions;
using Homeostat.Remediation;
using Homeostat.Remediation.Certificates;
using Homeostat.Signals;
using Homeostat.TestKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Homeostat.Kubernetes.Tests;

public sealed class CertManagerRenewalTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private CertManagerRenewal Renewal => new(_cluster.Client, _cluster.Monitor, _cluster.Time);

    private static ActionRequest Renew(string name = "api-tls", string ns = "shop") =>
        TestCluster.Request(TestCluster.Alert(("alertname", "CertificateExpiringSoon"), ("namespace", ns), ("certificate", name)), "trigger_cert_renewal");

    private static Signal CertificateResource(string name = "api-tls") => new()
    {
        Id = "sig-cert",
        Source = SignalSources.Alertmanager,
        Service = "api",
        Title = "certificate expires soon",
        Resource = new SignalResource { Kind = "Certificate", Namespace = "shop", Name = name },
    };

    private JsonArray Conditions => (JsonArray)_cluster.Server.GetJson("certificates", "shop", "api-tls")!["status"]!["conditions"]!;

    private JsonObject? Issuing => Conditions.OfType<JsonObject>().SingleOrDefault(c => c["type"]!.GetValue<string>() == "Issuing");

    [Fact]
    public async Task ExecuteAsync_ReadyCertificate_AddsTheIssuingConditionAsCmctlRenewDoes()
    {
        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("current status.notAfter " + TestCluster.CertificateNotAfter);
        var issuing = Issuing.ShouldNotBeNull();
        issuing["status"]!.GetValue<string>().ShouldBe("True");
        issuing["reason"]!.GetValue<string>().ShouldBe("ManuallyTriggered");
        issuing["message"]!.GetValue<string>().ShouldBe("Certificate re-issuance manually triggered by Homeostat");
        issuing["lastTransitionTime"]!.GetValue<string>().ShouldBe("2026-11-28T10:00:00Z");
        Conditions.Count.ShouldBe(2, "the Ready condition is kept");
        var write = _cluster.Server.PersistedWrites.ShouldHaveSingleItem();
        write.Resource.ShouldBe("certificates/status");
        write.ApiGroup.ShouldBe("cert-manager.io");
        write.ContentType!.ShouldStartWith("application/merge-patch+json");
        _cluster.Server.GetJson("certificates", "shop", "api-tls")!["spec"]!["secretName"]!.GetValue<string>().ShouldBe("api-tls");
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyIssuing_ReportsNoChange()
    {
        (await Renewal.ExecuteAsync(Renew(), default)).Status.ShouldBe(ActionStatus.Succeeded);

        var repeat = await Renewal.ExecuteAsync(Renew(), default);

        repeat.Status.ShouldBe(ActionStatus.NoChange, repeat.Summary);
        repeat.Summary.ShouldContain("already being re-issued");
        repeat.Summary.ShouldContain(TestCluster.CertificateNotAfter);
        _cluster.Server.PersistedWrites.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_IssuingFalse_ReplacesIt()
    {
        var certificate = _cluster.Server.GetJson("certificates", "shop", "api-tls")!;
        ((JsonArray)certificate["status"]!["conditions"]!).Add(new JsonObject { ["type"] = "Issuing", ["status"] = "False", ["reason"] = "Done" });
        certificate["metadata"]!.AsObject().Remove("resourceVersion");
        _cluster.Server.Seed("certificates", certificate);

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        Issuing.ShouldNotBeNull()["status"]!.GetValue<string>().ShouldBe("True");
    }

    [Fact]
    public async Task PreviewAsync_ShowsTheConditionAndPersistsNothing()
    {
        var preview = await Renewal.PreviewAsync(Renew(), default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        preview.Summary.ShouldContain("dryRun=All");
        preview.Changes.ShouldHaveSingleItem().ShouldContain("\"reason\":\"ManuallyTriggered\"");
        _cluster.Server.Requests.ShouldContain(r => r.Resource == "certificates/status" && r.Verb == "patch" && r.DryRun && r.Status == 200);
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
        Issuing.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_FirstWriteConflicts_ReReadsAndSucceeds()
    {
        _cluster.Server.ConflictOnNextWrites(1);

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("after 1 conflict");
        _cluster.Server.Requests.Where(r => r.Verb == "patch").Select(r => r.Status).ShouldBe([409, 200]);
        Issuing.ShouldNotBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_StatusPatchForbidden_FailsWithTheApiServersMessage()
    {
        _cluster.Server.Forbid("patch", "certificates/status");

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("cannot patch resource \"certificates/status\" in API group \"cert-manager.io\" in the namespace \"shop\"");
    }

    [Fact]
    public async Task ExecuteAsync_MissingCertificate_FailsAsNotFound()
    {
        var outcome = await Renewal.ExecuteAsync(Renew("gone-tls"), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("not found");
    }

    [Theory]
    [InlineData("api-tls/../../secrets/x", "shop")]
    [InlineData("API_TLS;rm -rf", "shop")]
    [InlineData("api-tls", "kube-system")]
    [InlineData("api-tls", "shop/../kube-system")]
    public async Task ExecuteAsync_HostileOrDisallowedTarget_RefusedWithoutAnApiCall(string name, string ns)
    {
        var outcome = await Renewal.ExecuteAsync(Renew(name, ns), default);
        var preview = await Renewal.PreviewAsync(Renew(name, ns), default);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("refused");
        preview.CanRun.ShouldBeFalse();
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task TriggerCertRenewal_CertificateResourceThroughTheRegistration_MarksItForReissuance()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:AllowedNamespaces:0"] = "shop",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_cluster.Time);
        services.AddSingleton<IOptionsMonitor<HostCertificateOptions>>(StaticOptionsMonitor.Of(new HostCertificateOptions()));
        services.AddSingleton<IRemediationAction, HostCertificateRenewalAction>();
        new HomeostatBuilder(services, configuration).AddKubernetes();
        services.AddSingleton(_cluster.Client);
        using var provider = services.BuildServiceProvider();
        var action = provider.GetServices<IRemediationAction>().OfType<HostCertificateRenewalAction>().Single();
        var request = TestCluster.Request(CertificateResource(), "trigger_cert_renewal");

        var preview = await action.PreviewAsync(request, default);
        var outcome = await action.ExecuteAsync(request, default);

        preview.CanRun.ShouldBeTrue(preview.Summary);
        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldContain("certificate shop/api-tls");
        Issuing.ShouldNotBeNull()["reason"]!.GetValue<string>().ShouldBe("ManuallyTriggered");
    }

    [Fact]
    public async Task TriggerCertRenewal_ConstructedDirectly_DelegatesCertificateTargets()
    {
        var action = new HostCertificateRenewalAction(StaticOptionsMonitor.Of(new HostCertificateOptions()), _cluster.Time, [Renewal]);

        var outcome = await action.ExecuteAsync(TestCluster.Request(CertificateResource(), "trigger_cert_renewal"), default);
        var repeat = await action.ExecuteAsync(TestCluster.Request(CertificateResource(), "trigger_cert_renewal"), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        repeat.Status.ShouldBe(ActionStatus.NoChange, repeat.Summary);
        Issuing.ShouldNotBeNull();
    }
}

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
    public async Task ExecuteAndPreview_MissingCertificate_NotApplicable()
    {
        var preview = await Renewal.PreviewAsync(Renew("gone-tls"), default);
        var outcome = await Renewal.ExecuteAsync(Renew("gone-tls"), default);

        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldBe("not applicable: the target does not exist: certificates.cert-manager.io \"gone-tls\" not found");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_SignalNamesNoCertificate_NotApplicableWithoutAnApiCall()
    {
        var request = TestCluster.Request(TestCluster.Alert(("alertname", "CertificateExpiringSoon"), ("namespace", "shop")), "trigger_cert_renewal");

        var outcome = await Renewal.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain("names no certificate");
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("api-tls/../../secrets/x", "shop", "not a valid Kubernetes object name")]
    [InlineData("API_TLS;rm -rf", "shop", "not a valid Kubernetes object name")]
    [InlineData("api-tls", "kube-system", "not in Kubernetes:AllowedNamespaces")]
    [InlineData("api-tls", "shop/../kube-system", "not a valid Kubernetes namespace name")]
    public async Task ExecuteAsync_HostileOrDisallowedTarget_NotApplicableWithoutAnApiCall(string name, string ns, string reason)
    {
        var outcome = await Renewal.ExecuteAsync(Renew(name, ns), default);
        var preview = await Renewal.PreviewAsync(Renew(name, ns), default);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable, outcome.Summary);
        outcome.Summary.ShouldContain(reason);
        preview.CanRun.ShouldBeFalse();
        preview.Premise!.Verdict.ShouldBe(PremiseVerdict.NotApplicable);
        _cluster.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_ExpiresWithinMinRemaining_ReportsWhatItSaw()
    {
        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(
            PremiseVerdict.Holds, "certificate shop/api-tls expires at 2026-11-28 20:00:00Z, 10h from now, within min_remaining 30d"));
    }

    [Fact]
    public async Task ExecuteAndPreview_ValidForLongerThanMinRemaining_PremiseNotMetAndTheCertificateIsUntouched()
    {
        ReseedWithNotAfter("2027-02-26T00:00:00Z");
        var before = CertificateJson;

        var preview = await Renewal.PreviewAsync(Renew(), default);
        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        const string Observed = "certificate shop/api-tls is valid until 2027-02-26 00:00:00Z, 89d14h from now, longer than min_remaining 30d";
        preview.CanRun.ShouldBeFalse();
        preview.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Premise.ShouldBe(new PremiseObservation(PremiseVerdict.NotMet, Observed));
        _cluster.Server.Requests.ShouldNotContain(r => r.Verb == "patch", "not even a dry run is sent");
        CertificateJson.ShouldBe(before);
        Issuing.ShouldBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_MinRemainingShorterThanTheTimeLeft_PremiseNotMet()
    {
        var request = TestCluster.Request(
            TestCluster.Alert(("namespace", "shop"), ("certificate", "api-tls")), "trigger_cert_renewal", ("min_remaining", TestCluster.Interval("6h")));

        var outcome = await Renewal.ExecuteAsync(request, default);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        outcome.Summary.ShouldContain("10h from now, longer than min_remaining 6h");
        _cluster.Server.PersistedWrites.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_ExpiredCertificate_PremiseHoldsAndItIsMarkedForReissuance()
    {
        ReseedWithNotAfter("2026-11-28T07:30:00Z");

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldBe("certificate shop/api-tls expired at 2026-11-28 07:30:00Z, 2h30m ago");
        Issuing.ShouldNotBeNull();
    }

    [Fact]
    public async Task ExecuteAsync_NeverIssued_PremiseHolds()
    {
        ReseedWithNotAfter(null);

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Premise!.Observed.ShouldBe("certificate shop/api-tls has no status.notAfter: it was never issued");
    }

    [Fact]
    public async Task ExecuteAsync_CertificateRenewedSincePreview_ChecksThePremiseAgain()
    {
        (await Renewal.PreviewAsync(Renew(), default)).CanRun.ShouldBeTrue();
        ReseedWithNotAfter("2027-02-26T00:00:00Z");

        var outcome = await Renewal.ExecuteAsync(Renew(), default);

        outcome.Status.ShouldBe(ActionStatus.PremiseNotMet, outcome.Summary);
        Issuing.ShouldBeNull();
    }

    private string CertificateJson => _cluster.Server.GetJson("certificates", "shop", "api-tls")!.ToJsonString();

    /// <summary>cert-manager's view of api-tls after an issuance that set this status.notAfter (null: never issued).</summary>
    private void ReseedWithNotAfter(string? notAfter)
    {
        var certificate = _cluster.Server.GetJson("certificates", "shop", "api-tls")!;
        var status = certificate["status"]!.AsObject();
        status.Remove("notAfter");
        if (notAfter is not null)
        {
            status["notAfter"] = notAfter;
        }

        certificate["metadata"]!.AsObject().Remove("resourceVersion");
        _cluster.Server.Seed("certificates", certificate);
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

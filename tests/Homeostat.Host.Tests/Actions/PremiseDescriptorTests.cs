using Homeostat.Host.Actions;
using Homeostat.Remediation;
using Homeostat.Remediation.Webhook;

namespace Homeostat.Host.Tests.Actions;

/// <summary>Every host action says what it checks on its target before acting, or why it cannot.</summary>
public sealed class PremiseDescriptorTests
{
    private static readonly string Undeclared = new ActionDescriptor("x", "x", []).Premise.CannotObserve!;

    public static TheoryData<string> HostActions() => new(
        [.. HostActionDescriptors.All.Select(d => d.Name), KnownActions.RotateAndCompressLogs.Name, KnownActions.TriggerCertRenewal.Name, WebhookAction.Name]);

    private static ActionDescriptor Find(string name) =>
        HostActionDescriptors.All.Concat([KnownActions.RotateAndCompressLogs, KnownActions.TriggerCertRenewal, WebhookAction.Definition]).Single(d => d.Name == name);

    [Theory]
    [MemberData(nameof(HostActions))]
    public void Descriptor_DeclaresItsPremise(string name)
    {
        var premise = Find(name).Premise;

        (premise.Checks ?? premise.CannotObserve).ShouldNotBeNullOrWhiteSpace();
        premise.CannotObserve.ShouldNotBe(Undeclared);
    }

    [Theory]
    [InlineData("rotate_and_compress_logs", true)]
    [InlineData("clean_directory", true)]
    [InlineData("trigger_cert_renewal", true)]
    [InlineData("restart_service", false)]
    [InlineData("run_script", false)]
    [InlineData("webhook", false)]
    public void Descriptor_SaysWhetherItCanObserveItsPremise(string name, bool observable) =>
        Find(name).Premise.IsObservable.ShouldBe(observable);

    [Fact]
    public void DiskActions_TakeTheBudgetParameters()
    {
        foreach (var descriptor in new[] { KnownActions.RotateAndCompressLogs, HostActionDescriptors.CleanDirectory })
        {
            descriptor.Parameter("budget").ShouldNotBeNull();
            descriptor.Parameter("max_used_percent").ShouldNotBeNull().Default.ShouldBe(KnownActions.DefaultMaxUsedPercent);
        }
    }
}

using Homeostat.Remediation;
using Homeostat.Host.Actions;
using Homeostat.TestKit;

namespace Homeostat.Host.Tests.Actions;

public sealed class RestartServiceActionTests
{
    private const string Action = "restart_service";

    /// <summary>Records every argv and answers show calls from a queue of ActiveStates.</summary>
    private sealed class FakeSystemctl(params string[] states) : ISystemctl
    {
        private readonly Queue<string> _states = new(states);

        public bool IsSystemdRunning { get; init; } = true;

        public int RestartExitCode { get; init; }

        public List<string[]> Calls { get; } = [];

        public Task<SystemctlResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            Calls.Add([.. arguments]);
            return Task.FromResult(arguments[0] switch
            {
                "show" => new SystemctlResult(0, (_states.Count > 0 ? _states.Dequeue() : "active") + "\n", string.Empty),
                "restart" => new SystemctlResult(RestartExitCode, string.Empty, RestartExitCode == 0 ? string.Empty : "Job for nginx.service failed."),
                _ => new SystemctlResult(1, string.Empty, "unexpected"),
            });
        }
    }

    private static RestartServiceAction NewAction(ISystemctl systemctl, params string[] allowed) =>
        new(StaticOptionsMonitor.Of(new RestartServiceOptions { AllowedUnits = [.. allowed] }), systemctl);

    private static ActionRequest Request(Dictionary<string, string>? labels = null, string parameters = "") =>
        HostActionCatalog.Request(Action, parameters, labels ?? []);

    private static ActionRequest ForService(string service) => Request(new() { ["service"] = service });

    [Fact]
    public async Task ExecuteAsync_AllowlistedService_RestartsItWithTheExactArgvAndReportsTheStates()
    {
        var systemctl = new FakeSystemctl("failed", "active");

        var outcome = await NewAction(systemctl, "nginx.service").ExecuteAsync(ForService("nginx"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldBe("restarted nginx.service: ActiveState failed -> active");
        outcome.Changes.ShouldBe(["restart nginx.service"]);
        systemctl.Calls.ShouldBe(
        [
            ["show", "-p", "ActiveState", "--value", "nginx.service"],
            ["restart", "nginx.service"],
            ["show", "-p", "ActiveState", "--value", "nginx.service"],
        ]);
    }

    [Fact]
    public async Task PreviewAsync_NamesTheUnitAndRestartsNothing()
    {
        var systemctl = new FakeSystemctl("active");

        var preview = await NewAction(systemctl, "nginx.service").PreviewAsync(ForService("nginx"), CancellationToken.None);

        preview.CanRun.ShouldBeTrue();
        preview.Summary.ShouldBe("would restart nginx.service (ActiveState now active); a restart is not idempotent: it happens on every run");
        preview.Changes.ShouldBe(["restart nginx.service"]);
        systemctl.Calls.ShouldAllBe(c => c[0] == "show");
    }

    [Fact]
    public async Task ExecuteAsync_RunTwice_RestartsTwiceBecauseARestartIsNotIdempotent()
    {
        var systemctl = new FakeSystemctl();
        var action = NewAction(systemctl, "nginx");

        var first = await action.ExecuteAsync(ForService("nginx"), CancellationToken.None);
        var second = await action.ExecuteAsync(ForService("nginx"), CancellationToken.None);

        first.Status.ShouldBe(ActionStatus.Succeeded);
        second.Status.ShouldBe(ActionStatus.Succeeded);
        systemctl.Calls.Count(c => c[0] == "restart").ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_UnitParameter_WinsOverTheLabels()
    {
        var systemctl = new FakeSystemctl();

        var outcome = await NewAction(systemctl, "api.socket").ExecuteAsync(
            Request(new() { ["unit"] = "other.service", ["service"] = "other" }, "unit: api.socket"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        systemctl.Calls.ShouldContain(c => c.SequenceEqual(new[] { "restart", "api.socket" }));
    }

    [Fact]
    public async Task ExecuteAsync_UnitLabel_WinsOverTheServiceLabelAndKeepsItsSuffix()
    {
        var systemctl = new FakeSystemctl();

        var outcome = await NewAction(systemctl, "backup.timer").ExecuteAsync(
            Request(new() { ["unit"] = "backup.timer", ["service"] = "other" }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        systemctl.Calls.ShouldContain(c => c.SequenceEqual(new[] { "restart", "backup.timer" }));
    }

    [Theory]
    [InlineData("worker-3")]
    [InlineData("worker-eu.service")]
    public async Task ExecuteAsync_PrefixGlob_AllowsMatchingUnits(string service)
    {
        var outcome = await NewAction(new FakeSystemctl(), "worker-*").ExecuteAsync(ForService(service), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
    }

    [Theory]
    [InlineData("workerx")]
    [InlineData("sshd")]
    [InlineData("nginx.socket")]
    [InlineData("nginx-extra")]
    public async Task ExecuteAsync_UnitNotAllowlisted_IsNotApplicableAndSystemctlIsNeverCalled(string service)
    {
        var systemctl = new FakeSystemctl();

        var outcome = await NewAction(systemctl, "nginx", "worker-*").ExecuteAsync(ForService(service), CancellationToken.None);
        var preview = await NewAction(systemctl, "nginx", "worker-*").PreviewAsync(ForService(service), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: refused: ");
        outcome.Summary.ShouldContain("is not in Actions:RestartService:AllowedUnits (nginx, worker-*)");
        preview.CanRun.ShouldBeFalse();
        systemctl.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_CatalogUnitNotAllowlisted_FailsAsConfigurationNotAsNotApplicable()
    {
        var systemctl = new FakeSystemctl();

        var outcome = await NewAction(systemctl, "nginx").ExecuteAsync(Request(parameters: "unit: redis"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("refused: redis.service is not in");
        systemctl.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_EmptyAllowlist_RefusesEverything()
    {
        var systemctl = new FakeSystemctl();

        var outcome = await NewAction(systemctl).ExecuteAsync(ForService("nginx"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldBe("not applicable: refused: no units are allowlisted (Actions:RestartService:AllowedUnits is empty)");
        systemctl.Calls.ShouldBeEmpty();
    }

    public static TheoryData<string> HostileUnits => new()
    {
        "../../etc",
        "$(rm -rf /)",
        "; reboot",
        "`reboot`",
        "nginx; reboot",
        "nginx\nreboot",
        "nginx.service\n",
        "nginx service",
        "-H evil",
        "-Hevil",
        "--host=evil",
        "--force",
        "nginx/../sshd",
        "*",
        "nginx*",
        new string('a', 300),
    };

    [Theory]
    [MemberData(nameof(HostileUnits))]
    public async Task ExecuteAsync_HostileUnitLabel_IsRefusedAndSystemctlIsNeverCalled(string label)
    {
        var systemctl = new FakeSystemctl();
        var action = NewAction(systemctl, "*nginx*", "-*", "nginx-*", "a*");

        var outcome = await action.ExecuteAsync(ForService(label), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldStartWith("not applicable: refused: ");
        outcome.Summary.ShouldNotContain("\n");
        outcome.Summary.Length.ShouldBeLessThan(300);
        systemctl.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_NoUnitAnywhere_IsNotApplicableSayingSo()
    {
        var outcome = await NewAction(new FakeSystemctl(), "nginx").ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NotApplicable);
        outcome.Summary.ShouldBe("not applicable: the signal names no unit (labels unit or service) and the catalog sets no unit parameter");
    }

    [Fact]
    public async Task ExecuteAsync_SystemdNotRunning_FailsWithoutCallingSystemctl()
    {
        var systemctl = new FakeSystemctl { IsSystemdRunning = false };

        var outcome = await NewAction(systemctl, "nginx").ExecuteAsync(ForService("nginx"), CancellationToken.None);
        var preview = await NewAction(systemctl, "nginx").PreviewAsync(ForService("nginx"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe("systemd is not running on this host");
        preview.CanRun.ShouldBeFalse();
        preview.Summary.ShouldBe("systemd is not running on this host");
        systemctl.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_RealSystemctlWithoutSystemd_FailsSayingSystemdIsNotRunning()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"homeostat-no-systemd-{Guid.NewGuid():N}");
        var systemctl = new Systemctl(TimeProvider.System, missing);

        var outcome = await NewAction(systemctl, "nginx").ExecuteAsync(ForService("nginx"), CancellationToken.None);

        systemctl.IsSystemdRunning.ShouldBeFalse();
        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe("systemd is not running on this host");
    }

    [Fact]
    public async Task ExecuteAsync_ThisHost_ReportsSystemdAsItReallyIs()
    {
        var systemctl = new Systemctl(TimeProvider.System);
        systemctl.IsSystemdRunning.ShouldBe(Directory.Exists("/run/systemd/system"));
        if (systemctl.IsSystemdRunning)
        {
            return;
        }

        var outcome = await NewAction(systemctl, "nginx").ExecuteAsync(ForService("nginx"), CancellationToken.None);

        outcome.Summary.ShouldBe("systemd is not running on this host");
    }

    [Fact]
    public async Task ExecuteAsync_RestartFails_FailsWithTheExitCodeAndStderr()
    {
        var systemctl = new FakeSystemctl("failed") { RestartExitCode = 1 };

        var outcome = await NewAction(systemctl, "nginx").ExecuteAsync(ForService("nginx"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe("systemctl restart nginx.service failed with exit code 1 (ActiveState was failed): Job for nginx.service failed.");
    }

    [Fact]
    public void Catalog_UnitParameterMustBeAUnitName()
    {
        HostActionCatalog.Load(Action, "").Errors.ShouldBeEmpty();
        HostActionCatalog.Load(Action, "unit: nginx.service").Errors.ShouldBeEmpty();
        HostActionCatalog.Load(Action, "unit: \"-H evil\"").Errors.ShouldNotBeEmpty();
        HostActionCatalog.Load(Action, "unit: \"a;b\"").Errors.ShouldNotBeEmpty();
    }

    [Fact]
    public void Validator_FlagsEntriesThatAreNeitherNamesNorPrefixes()
    {
        var validator = new RestartServiceOptionsValidator();

        validator.Validate(null, new RestartServiceOptions { AllowedUnits = ["nginx", "api.socket", "worker-*"] }).Succeeded.ShouldBeTrue();
        var failures = validator.Validate(null, new RestartServiceOptions { AllowedUnits = ["*", "a*b*", "-H", "a b", "ok.service"] }).Failures!.ToList();
        failures.Count.ShouldBe(4, string.Join("\n", failures));
    }
}

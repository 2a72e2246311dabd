using System.Text.Json;
using Homeostat.TestKit;

namespace Homeostat.Cli.Tests.Client;

/// <summary>
/// approve, reject, resolve, label, resume and promote with <c>--server</c> (or <c>server.url</c>): the running service
/// does the work in its store, the command opens no store of its own, and it says what it says offline.
/// </summary>
public sealed class OperatorClientTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task AllSixCommands_WithServerAndToken_ChangeTheServicesStoreAndOpenNoLocalStore()
    {
        await using var service = await RunningService.StartAsync();
        using var local = new TempDirectory();
        string[] Remote(params string[] args) => [.. args, "--by", "dana", "--server", service.Url, "--token-file", service.TokenFile, "--data", local.Path];

        var approve = await CliRunner.RunAsync(Remote("approve", service.CheckoutIncident));
        var checkoutAfterApproval = await service.IncidentAsync(service.CheckoutIncident);
        var reject = await CliRunner.RunAsync(Remote("reject", service.PaymentsIncident, "--note", "the disk is a tmpfs"));
        var paymentsAfterRejection = await service.IncidentAsync(service.PaymentsIncident);
        var resolve = await CliRunner.RunAsync(Remote("resolve", service.PaymentsIncident, "--note", "fixed by hand"));
        var label = await CliRunner.RunAsync(Remote("label", service.PaymentsIncident, "disk_full"));
        var resume = await CliRunner.RunAsync(Remote("resume", "--service", "checkout", "--class", "disk_full"));
        var promote = await CliRunner.RunAsync(Remote("promote", "disk_full"));

        approve.ExitCode.ShouldBe(0, approve.Error);
        approve.Output.ShouldBe("erin (stated by: dana) approved rotate_and_compress_logs; the guardrails are checked again before it runs" + Environment.NewLine);
        checkoutAfterApproval.GetProperty("state").GetString().ShouldBe("open");
        reject.ExitCode.ShouldBe(0, reject.Error);
        reject.Output.ShouldBe("erin (stated by: dana) rejected rotate_and_compress_logs: the disk is a tmpfs" + Environment.NewLine);
        paymentsAfterRejection.GetProperty("state").GetString().ShouldBe("escalated");
        paymentsAfterRejection.GetProperty("reason").GetString().ShouldBe("approval_rejected");
        resolve.ExitCode.ShouldBe(0, resolve.Error);
        resolve.Output.ShouldStartWith("resolved by erin (stated by: dana): fixed by hand (was escalated approval_rejected)");
        (await service.IncidentAsync(service.PaymentsIncident)).GetProperty("state").GetString().ShouldBe("resolved");
        label.ExitCode.ShouldBe(0, label.Error);
        resume.ExitCode.ShouldBe(0, resume.Error);
        (await service.ActiveSuspensionsAsync()).ShouldBeEmpty();
        promote.ExitCode.ShouldBe(0, promote.Error);
        promote.Output.ShouldContain("erin (stated by: dana) promoted spec ");

        // Each is in the service's audit trail as done by the token's name, with the --by the human gave beside it.
        var answers = await service.AuditAsync("approval_answered");
        answers.Select(r => (Incident(r), Actor(r), StatedBy(r))).ShouldBe([(service.CheckoutIncident, "erin", "dana"), (service.PaymentsIncident, "erin", "dana")], ignoreOrder: true);
        var resolved = (await service.AuditAsync("resolved")).Where(r => Incident(r) == service.PaymentsIncident).ShouldHaveSingleItem();
        (Actor(resolved), StatedBy(resolved)).ShouldBe(("erin", "dana"));
        var labelled = (await service.AuditAsync("labelled")).ShouldHaveSingleItem();
        (Incident(labelled), Actor(labelled), StatedBy(labelled)).ShouldBe((service.PaymentsIncident, "erin", "dana"));
        labelled.GetProperty("payload").GetProperty("label").GetString().ShouldBe("disk_full");
        var resumed = (await service.AuditAsync("resumed")).ShouldHaveSingleItem();
        (Actor(resumed), StatedBy(resumed)).ShouldBe(("erin", "dana"));
        var promoted = (await service.AuditAsync("promoted")).ShouldHaveSingleItem();
        (Actor(promoted), StatedBy(promoted)).ShouldBe(("erin", "dana"));

        // The command never opened (or created) a store of its own.
        Directory.EnumerateFileSystemEntries(local.Path).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("approve {checkout}")]
    [InlineData("reject {payments} --note not-now")]
    [InlineData("resolve {checkout} --note fixed-by-hand")]
    [InlineData("label {payments} unknown")]
    [InlineData("resume --service checkout --class disk_full")]
    [InlineData("promote disk_full")]
    [InlineData("resume --service payments --class disk_full")]
    [InlineData("approve no-such-incident")]
    [InlineData("label {checkout} made_up_class")]
    [InlineData("resolve no-such-incident")]
    public async Task Command_ThroughTheService_SaysWhatItSaysOfflineWithTheSameExitCode(string line)
    {
        await using var service = await RunningService.StartAsync();
        var args = line.Replace("{checkout}", service.CheckoutIncident, StringComparison.Ordinal).Replace("{payments}", service.PaymentsIncident, StringComparison.Ordinal)
            .Split(' ').Append("--by").Append("erin").ToArray();

        var remote = await CliRunner.RunAsync([.. args, "--server", service.Url, "--token-file", service.TokenFile]);
        var offline = await CliRunner.RunAsync([.. args, "--config", service.OfflineConfig]);

        (offline.Output + offline.Error).ShouldNotBeEmpty();
        remote.ExitCode.ShouldBe(offline.ExitCode, remote.Error);
        remote.Output.ShouldBe(offline.Output);
        remote.Error.ShouldBe(offline.Error);
    }

    [Fact]
    public async Task Refusal_AnIncidentNoLongerPending_ExitsOneWithTheServicesSentence()
    {
        await using var service = await RunningService.StartAsync();
        string[] Remote(params string[] args) => [.. args, "--by", "dana", "--server", service.Url, "--token-file", service.TokenFile];
        await CliRunner.RunAsync(Remote("reject", service.CheckoutIncident));

        var approve = await CliRunner.RunAsync(Remote("approve", service.CheckoutIncident));

        approve.ExitCode.ShouldBe(1);
        approve.Output.ShouldBeEmpty();
        approve.Error.ShouldBe($"incident {service.CheckoutIncident} is escalated, not pending_approval" + Environment.NewLine);
    }

    [Fact]
    public async Task WrongToken_ExitsOneSayingTheServerRefusedIt_ChangesNothingAndNeverShowsTheToken()
    {
        await using var service = await RunningService.StartAsync();
        var wrong = service.Folder.Write("wrong-token", "not-the-token-4411\n");

        var result = await CliRunner.RunAsync("approve", service.CheckoutIncident, "--server", service.Url, "--token-file", wrong);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldBeEmpty();
        result.Error.ShouldStartWith("homeostat: the server refused the token (401 Unauthorized from ");
        result.Error.ShouldContain($"check that --token-file {wrong} holds the service's API token");
        result.Error.ShouldNotContain("not-the-token-4411");
        result.Error.ShouldNotContain(RunningService.Token);
        OneLine(result.Error);
        (await service.IncidentAsync(service.CheckoutIncident)).GetProperty("state").GetString().ShouldBe("pending_approval");
    }

    [Fact]
    public async Task NoToken_ExitsOneWithAHintWhereToPutIt()
    {
        await using var service = await RunningService.StartAsync();
        var variable = "HOMEOSTAT_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var config = service.Folder.Write("no-token.yaml", $"server:\n  api_token_env: {variable}\n");

        var result = await CliRunner.RunAsync("resume", "--service", "checkout", "--class", "disk_full", "--server", service.Url, "--config", config);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("the server refused the token");
        result.Error.ShouldContain($"no token was sent: put the service's API token in a file passed with --token-file, or in the {variable} environment variable");
        (await service.ActiveSuspensionsAsync()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ServerUrlAndTokenFileFromTheConfig_AreUsedWhenServerIsAbsent()
    {
        await using var service = await RunningService.StartAsync();
        using var local = new TempDirectory();
        var config = service.Folder.Write("client.yaml", $"data: {local.Path}\nserver:\n  url: {service.Url}\n  api_token_file: {service.TokenFile}\n");

        var result = await CliRunner.RunAsync("approve", service.CheckoutIncident, "--by", "frank", "--config", config);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldStartWith("erin (stated by: frank) approved");
        Actor((await service.AuditAsync("approval_answered")).ShouldHaveSingleItem()).ShouldBe("erin");
        Directory.EnumerateFileSystemEntries(local.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task TokenFromTheEnvironmentVariableTheConfigNames_IsSent()
    {
        await using var service = await RunningService.StartAsync();
        var variable = "HOMEOSTAT_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        var config = service.Folder.Write("env.yaml", $"server:\n  url: {service.Url}\n  api_token_env: {variable}\n");
        Environment.SetEnvironmentVariable(variable, RunningService.Token);
        try
        {
            var result = await CliRunner.RunAsync("label", service.CheckoutIncident, "disk_full", "--by", "gina", "--config", config);

            result.ExitCode.ShouldBe(0, result.Error);
            StatedBy((await service.AuditAsync("labelled")).ShouldHaveSingleItem()).ShouldBe("gina");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ServerDown_OneLineNamingTheUrl_ExitOne()
    {
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}/";

        var result = await CliRunner.RunAsync("approve", "inc-1", "--server", url, "--token-file", TokenFile());

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldBeEmpty();
        OneLine(result.Error).ShouldStartWith($"homeostat: cannot reach the service at {url}: ");
    }

    [Fact]
    public async Task ServiceThatNeverAnswers_GivesUpAfterTheTimeout_ExitOne()
    {
        using var stub = new StubHttpServer { Respond = _ => new StubResponse(200, "{}", Hold: true) };

        var result = await CliRunner.RunAsync("promote", "disk_full", "--server", stub.Url, "--token-file", TokenFile(), "--timeout", "1s");

        result.ExitCode.ShouldBe(1);
        OneLine(result.Error).ShouldBe($"homeostat: the service at {stub.Url}/ did not answer POST /api/v1/remediations/disk_full/promote within 1s; is it up and reachable? (--timeout waits longer)");
    }

    [Theory]
    [InlineData(200, "text/html", "<html>welcome</html>")]
    [InlineData(200, "application/json", "[1, 2]")]
    [InlineData(302, "text/plain", "")]
    [InlineData(404, "application/problem+json", "{\"title\": \"Not Found\", \"status\": 404}")]
    [InlineData(502, "text/plain", "bad gateway")]
    public async Task AnswerThatIsNotHomeostats_OneLineNamingTheUrl_ExitOne(int status, string contentType, string body)
    {
        using var stub = new StubHttpServer { Respond = _ => new StubResponse(status, body) { ContentType = contentType } };

        var result = await CliRunner.RunAsync("resolve", "inc-1", "--server", stub.Url, "--token-file", TokenFile());

        result.ExitCode.ShouldBe(1);
        OneLine(result.Error).ShouldStartWith($"homeostat: the service at {stub.Url}/ answered {status} ");
        result.Error.ShouldContain("to POST /api/v1/incidents/inc-1/resolve without Homeostat's JSON");
        stub.Requests.ShouldHaveSingleItem().Headers["Authorization"].ShouldBe("Bearer token-from-file");
    }

    [Fact]
    public async Task ServerUrlWithAPathPrefix_KeepsThePrefix()
    {
        using var stub = new StubHttpServer("/homeostat/") { Respond = _ => StubResponse.Json("""{"detail": "kim resumed 'disk_full' for 'checkout'; it may act again within its rate limit"}""") };

        var result = await CliRunner.RunAsync("resume", "--service", "checkout", "--class", "disk_full", "--by", "kim", "--server", stub.Url + "/homeostat", "--token-file", TokenFile());

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldBe("kim resumed 'disk_full' for 'checkout'; it may act again within its rate limit" + Environment.NewLine);
        var request = stub.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/homeostat/api/v1/suspensions/resume");
        JsonDocument.Parse(request.Body).RootElement.GetProperty("by").GetString().ShouldBe("kim");
    }

    [Theory]
    [InlineData("--server", "http://operator:hunter2@127.0.0.1:1/", "--server must not carry credentials")]
    [InlineData("--server", "ftp://127.0.0.1/", "--server must be an absolute http(s) URL such as https://homeostat.example:8088 (got 'ftp://127.0.0.1/')")]
    [InlineData("--server", "127.0.0.1:8088", "--server must be an absolute http(s) URL")]
    [InlineData("--timeout", "0s", "--timeout must be more than 0s")]
    public async Task BadServerOrTimeout_IsRefusedBeforeAnythingIsSent_ExitTwo(string option, string value, string error)
    {
        var args = new List<string> { "approve", "inc-1", option, value };
        if (option != "--server")
        {
            args.AddRange(["--server", "http://127.0.0.1:1/"]);
        }

        var result = await CliRunner.RunAsync([.. args]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(error);
        result.Error.ShouldNotContain("hunter2");
        result.Error.ShouldNotContain("operator:");
    }

    [Fact]
    public async Task ServerUrlWithCredentialsInTheConfig_IsRefusedWithoutRepeatingThem()
    {
        using var folder = new TempDirectory();
        var config = folder.Write("client.yaml", "server:\n  url: https://operator:hunter2@homeostat.example/\n");

        var result = await CliRunner.RunAsync("approve", "inc-1", "--config", config);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("server.url must not carry credentials");
        result.Error.ShouldNotContain("hunter2");
    }

    [Fact]
    public async Task TokenOnTheCommandLine_IsRefusedAndNeverRepeated()
    {
        var result = await CliRunner.RunAsync("approve", "inc-1", "--server", "http://127.0.0.1:1/", "--token", "s3cr3t-value");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("the API token is never taken on the command line");
        result.Error.ShouldContain("--token-file");
        result.Error.ShouldNotContain("s3cr3t-value");
    }

    [Fact]
    public async Task TokenFileWithoutAServer_IsAMistakeNotSilentlyOffline()
    {
        using var local = new TempDirectory();

        var result = await CliRunner.RunAsync("approve", "inc-1", "--token-file", TokenFile(), "--data", local.Path);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--token-file goes with --server URL");
        Directory.EnumerateFileSystemEntries(local.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task MissingTokenFile_IsNamedAndNothingIsSent()
    {
        using var stub = new StubHttpServer();

        var result = await CliRunner.RunAsync("approve", "inc-1", "--server", stub.Url, "--token-file", "/nonexistent/homeostat-token");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("cannot read the token from --token-file /nonexistent/homeostat-token");
        stub.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ServiceSentenceWithControlCharacters_IsShownNotObeyed()
    {
        using var stub = new StubHttpServer { Respond = _ => new StubResponse(409, """{"title": "Nothing to answer", "detail": "incident x is \u001b[31mred\u001b[0m"}""") { ContentType = "application/problem+json" } };

        var result = await CliRunner.RunAsync("approve", "x", "--server", stub.Url, "--token-file", TokenFile());

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldBe("incident x is \\u001b[31mred\\u001b[0m" + Environment.NewLine);
    }

    [Fact]
    public async Task ServerUrlAndTokenFileFromHomeostatEnvironmentOverrides_AreUsedAsRunWouldReadThem()
    {
        await using var service = await RunningService.StartAsync();
        using var local = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["HOMEOSTAT__SERVER__URL"] = service.Url,
            ["HOMEOSTAT__SERVER__APITOKENFILE"] = service.TokenFile,
            ["HOMEOSTAT__DATA"] = local.Path,
        };

        var result = await CliRunner.RunProcessAsync(environment, "resolve", service.PaymentsIncident, "--by", "hana", "--note", "fixed by hand");

        result.Code.ShouldBe(0, result.Error);
        var resolved = (await service.AuditAsync("resolved")).ShouldHaveSingleItem();
        Actor(resolved).ShouldBe("erin");
        StatedBy(resolved).ShouldBe("hana");
        Directory.EnumerateFileSystemEntries(local.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task ApproveAndRejectWithNote_ThroughTheExecutable_NoteAndTokenNameInTheAuditTrail()
    {
        await using var service = await RunningService.StartAsync();
        string[] Remote(params string[] args) => [.. args, "--by", "dana", "--server", service.Url, "--token-file", service.TokenFile];

        var approve = await CliRunner.RunProcessAsync(Remote("approve", service.CheckoutIncident, "--note", "disk is log-heavy, rotation is safe"));
        var reject = await CliRunner.RunProcessAsync(Remote("reject", service.PaymentsIncident, "--note", "payments logs are under legal hold"));

        approve.Code.ShouldBe(0, approve.Error);
        reject.Code.ShouldBe(0, reject.Error);
        var answers = await service.AuditAsync("approval_answered");
        var approved = answers.Single(r => Incident(r) == service.CheckoutIncident);
        (Actor(approved), StatedBy(approved)).ShouldBe(("erin", "dana"));
        approved.GetProperty("payload").GetProperty("approved").GetBoolean().ShouldBeTrue();
        approved.GetProperty("payload").GetProperty("note").GetString().ShouldBe("disk is log-heavy, rotation is safe");
        var rejected = answers.Single(r => Incident(r) == service.PaymentsIncident);
        (Actor(rejected), StatedBy(rejected)).ShouldBe(("erin", "dana"));
        rejected.GetProperty("payload").GetProperty("approved").GetBoolean().ShouldBeFalse();
        rejected.GetProperty("payload").GetProperty("note").GetString().ShouldBe("payments logs are under legal hold");
    }

    [Fact]
    public async Task ValidateAcceptsServerUrl_AndRunRefusesOneWithCredentials()
    {
        using var folder = new TempDirectory();
        var good = folder.Write("good.yaml", "server:\n  url: https://homeostat.example:8088\n");
        var bad = folder.Write("bad.yaml", $"data: {folder.Path}/data\nserver:\n  listen: http://127.0.0.1:0\n  url: https://operator:hunter2@homeostat.example/\n");

        var validate = await CliRunner.RunAsync("validate", good);
        var run = await CliRunner.RunAsync("run", "--config", bad);

        validate.ExitCode.ShouldBe(0, validate.Error);
        run.ExitCode.ShouldBe(1);
        run.Error.ShouldContain("server.url must not carry credentials");
        run.Error.ShouldNotContain("hunter2");
    }

    public void Dispose() => _temp.Dispose();

    private static string Actor(JsonElement record) => record.GetProperty("actor").GetString()!;

    private static string? StatedBy(JsonElement record) => record.GetProperty("payload").TryGetProperty("statedBy", out var stated) ? stated.GetString() : null;

    private static string? Incident(JsonElement record) => record.GetProperty("incidentId").GetString();

    private static string OneLine(string error)
    {
        error.ShouldNotContain("   at ");
        return error.TrimEnd('\n', '\r').Split('\n').ShouldHaveSingleItem();
    }

    private string TokenFile() => _temp.Write("token", "token-from-file\n");
}

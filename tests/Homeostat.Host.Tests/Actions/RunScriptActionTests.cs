using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Host.Actions;
using Homeostat.Signals;
using Homeostat.TestKit;

namespace Homeostat.Host.Tests.Actions;

[UnsupportedOSPlatform("windows")]
public sealed class RunScriptActionTests : IDisposable
{
    private const string Action = "run_script";
    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly string _sandbox;
    private readonly string _scripts;
    private readonly string _script;
    private readonly string _argvFile;

    public RunScriptActionTests()
    {
        _sandbox = SafePaths.RealPath(Path.Combine(Path.GetTempPath(), $"homeostat-script-{Guid.NewGuid():N}"));
        _scripts = Path.Combine(_sandbox, "scripts");
        Directory.CreateDirectory(_scripts);
        File.SetUnixFileMode(_scripts, Executable);
        _argvFile = Path.Combine(_sandbox, "argv");
        _script = WriteScript("fix.sh");
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    /// <summary>A real script: records its argv NUL-separated, echoes it, and behaves as its first arguments say.</summary>
    private string WriteScript(string name)
    {
        var path = Path.Combine(_scripts, name);
        File.WriteAllText(path, $$"""
            #!/bin/bash
            printf '%s\0' "$@" > '{{_argvFile}}'
            printf 'pwd=%s\n' "$PWD"
            for a in "$@"; do printf 'arg=%s\n' "$a"; done
            case "$1" in
              --exit) exit "$2" ;;
              --stderr) echo "boom on stderr" >&2; exit 7 ;;
              --sleep) ( sleep 2; touch '{{_sandbox}}/grandchild' ) & sleep "$2"; touch '{{_sandbox}}/finished' ;;
              --noise) printf '\033[31mred\033[0m\r\n'; head -c 10000 /dev/zero | tr '\0' 'x' ;;
            esac
            exit 0

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(path, Executable);
        return path;
    }

    private RunScriptAction NewAction(ScriptDefinition script, string name = "fix") =>
        NewAction(new RunScriptOptions { Scripts = new(StringComparer.OrdinalIgnoreCase) { [name] = script } });

    private static RunScriptAction NewAction(RunScriptOptions options) => new(StaticOptionsMonitor.Of(options), TimeProvider.System);

    private ScriptDefinition Script(params string[] arguments) => new() { Path = _script, Arguments = [.. arguments] };

    private static ActionRequest Request(Dictionary<string, string>? labels = null, string script = "fix", string? service = "checkout", SignalResource? resource = null) =>
        HostActionCatalog.Request(Action, $"script: {script}", labels ?? [], service, resource);

    private string[]? SeenArgv() =>
        File.Exists(_argvFile) ? File.ReadAllText(_argvFile, Encoding.UTF8).Split('\0')[..^1] : null;

    private static string Quoted(params string[] argv) => "run [" + string.Join(", ", argv.Select(a => "\"" + a + "\"")) + "]";

    [Fact]
    public async Task ExecuteAsync_FillsEveryPlaceholderAsItsOwnArgvEntry()
    {
        var action = NewAction(Script("--service", "{service}", "--namespace={label:namespace}", "{resource.namespace}", "{resource.name}", "{resource.host}", "literal {x"));
        var resource = new SignalResource { Namespace = "prod", Name = "api-7d9f", Host = "node-1.example.com" };

        var outcome = await action.ExecuteAsync(Request(new() { ["namespace"] = "shop" }, resource: resource), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        SeenArgv().ShouldBe(["--service", "checkout", "--namespace=shop", "prod", "api-7d9f", "node-1.example.com", "literal {x"]);
        outcome.Summary.ShouldStartWith("script 'fix' succeeded (exit 0)\nstdout: pwd=" + _scripts + "\narg=--service\narg=checkout");
        outcome.Changes.ShouldBe([Quoted(_script, "--service", "checkout", "--namespace=shop", "prod", "api-7d9f", "node-1.example.com", "literal {x")]);
    }

    [Fact]
    public async Task PreviewAsync_RunsNothingAndShowsTheExactArgvExecuteRuns()
    {
        var action = NewAction(Script("--service", "{service}", "{label:namespace}"));
        var request = Request(new() { ["namespace"] = "shop" });

        var preview = await action.PreviewAsync(request, CancellationToken.None);

        preview.CanRun.ShouldBeTrue();
        preview.Summary.ShouldStartWith($"would run script 'fix' (3 argument(s), in {_scripts}, time limit 30s)");
        preview.Changes.ShouldBe([Quoted(_script, "--service", "checkout", "shop")]);
        File.Exists(_argvFile).ShouldBeFalse();

        var outcome = await action.ExecuteAsync(request, CancellationToken.None);

        outcome.Changes.ShouldBe(preview.Changes);
        SeenArgv().ShouldBe(["--service", "checkout", "shop"]);
    }

    [Fact]
    public async Task ExecuteAsync_ExitThree_MeansAlreadyInTheDesiredState()
    {
        var outcome = await NewAction(Script("--exit", "3")).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.NoChange);
        outcome.Summary.ShouldStartWith("script 'fix' reports already in the desired state (exit 3)");
        outcome.Changes.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_OtherExitCode_FailsWithTheCodeAndStderr()
    {
        var outcome = await NewAction(Script("--stderr")).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("script 'fix' failed with exit code 7");
        outcome.Summary.ShouldEndWith("\nstderr: boom on stderr");
        outcome.Changes.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("$(touch {0}/pwned)")]
    [InlineData("; touch {0}/pwned")]
    [InlineData("`touch {0}/pwned`")]
    [InlineData("&& touch {0}/pwned |")]
    [InlineData("../../etc")]
    [InlineData("a b  c")]
    [InlineData("'\"\\*?~{{}}$HOME")]
    [InlineData("-rf")]
    public async Task ExecuteAsync_HostileValueAllowedByAPermissivePattern_IsPassedVerbatimAsOneArgument(string template)
    {
        var value = string.Format(CultureInfo.InvariantCulture, template, _sandbox);
        var script = Script("--value", "{label:value}", "after");
        script.ValuePattern = ".+";

        var outcome = await NewAction(script).ExecuteAsync(Request(new() { ["value"] = value }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        SeenArgv().ShouldBe(["--value", value, "after"]);
        Directory.GetFiles(_sandbox, "pwned", SearchOption.AllDirectories).ShouldBeEmpty();
        File.Exists(Path.Combine(Path.GetDirectoryName(_sandbox)!, "pwned")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_VeryLongValueAllowedByThePattern_IsOneArgument()
    {
        var value = new string('a', 4000);
        var script = Script("{label:value}");
        script.ValuePattern = "a+";

        var outcome = await NewAction(script).ExecuteAsync(Request(new() { ["value"] = value }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        SeenArgv().ShouldBe([value]);
    }

    public static TheoryData<string> HostileValues => new()
    {
        "$(rm -rf /)",
        "; reboot",
        "`reboot`",
        "../../etc",
        "-rf",
        "--help",
        "a b",
        "checkout\n",
        "checkout\nreboot",
        "\u001b[2J",
        new string('a', 254),
        new string('a', 100_000),
        "",
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task ExecuteAsync_HostileValueUnderTheDefaultPattern_IsRefusedNamingThePlaceholderAndNothingRuns(string value)
    {
        var action = NewAction(Script("--service", "{service}", "--namespace", "{label:namespace}"));

        var outcome = await action.ExecuteAsync(Request(new() { ["namespace"] = value }), CancellationToken.None);
        var preview = await action.PreviewAsync(Request(new() { ["namespace"] = value }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("refused: script 'fix' argument 4: ");
        outcome.Summary.ShouldContain("{label:namespace}");
        outcome.Summary.Length.ShouldBeLessThan(400);
        outcome.Summary.ShouldNotContain("\n");
        preview.CanRun.ShouldBeFalse();
        File.Exists(_argvFile).ShouldBeFalse();
    }

    [Theory]
    [InlineData("ok\nreboot")]
    [InlineData("ok\r")]
    [InlineData("ok\u0000rm")]
    [InlineData("ok\u001b[2J")]
    public async Task ExecuteAsync_ControlCharacters_AreRefusedWhateverThePattern(string value)
    {
        var script = Script("{label:value}");
        script.ValuePattern = @"[\s\S]*";

        var outcome = await NewAction(script).ExecuteAsync(Request(new() { ["value"] = value }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("{label:value}");
        outcome.Summary.ShouldContain("holds control characters");
        File.Exists(_argvFile).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_PatternMatchingOnlyPartOfTheValue_IsRefused()
    {
        var script = Script("{label:value}");
        script.ValuePattern = "abc";

        var outcome = await NewAction(script).ExecuteAsync(Request(new() { ["value"] = "abc; reboot" }), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("does not match the ValuePattern abc");
    }

    [Fact]
    public async Task ExecuteAsync_PlaceholderWithoutAValue_IsRefused()
    {
        var outcome = await NewAction(Script("{label:namespace}")).ExecuteAsync(Request(), CancellationToken.None);
        var noService = await NewAction(Script("{service}")).ExecuteAsync(Request(service: null), CancellationToken.None);
        var noHost = await NewAction(Script("{resource.host}")).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Summary.ShouldBe("refused: script 'fix' argument 1: placeholder {label:namespace} has no value: the signal has no label 'namespace'");
        noService.Summary.ShouldBe("refused: script 'fix' argument 1: placeholder {service} has no value: the signal names no service");
        noHost.Status.ShouldBe(ActionStatus.Failed);
        File.Exists(_argvFile).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_UnknownPlaceholderInTheConfig_IsRefused()
    {
        var outcome = await NewAction(Script("{env:HOME}")).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("refused: script 'fix' argument 1: unknown placeholder {env:HOME}");
    }

    [Fact]
    public async Task ExecuteAsync_ScriptNotConfigured_IsRefusedNamingTheConfiguredOnes()
    {
        var outcome = await NewAction(Script()).ExecuteAsync(Request(script: "other"), CancellationToken.None);
        var none = await NewAction(new RunScriptOptions()).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe("refused: no script named \"other\" is configured under Actions:RunScript:Scripts (configured: fix)");
        none.Summary.ShouldEndWith("(none are configured)");
    }

    [Fact]
    public async Task ExecuteAsync_ScriptNameDiffersOnlyInCase_IsFound()
    {
        var outcome = await NewAction(Script(), name: "Fix").ExecuteAsync(Request(script: "fix"), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
    }

    [Fact]
    public async Task ExecuteAsync_WorldWritableScript_IsRefusedAndNotRun()
    {
        File.SetUnixFileMode(_script, Executable | UnixFileMode.OtherWrite);

        var outcome = await NewAction(Script()).ExecuteAsync(Request(), CancellationToken.None);
        var preview = await NewAction(Script()).PreviewAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldBe($"refused: script 'fix': {_script} is world-writable; anyone could change what runs");
        preview.CanRun.ShouldBeFalse();
        File.Exists(_argvFile).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_ScriptInAWorldWritableDirectory_IsRefused()
    {
        File.SetUnixFileMode(_scripts, Executable | UnixFileMode.OtherWrite);

        var outcome = await NewAction(Script()).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("is in the world-writable directory");
        File.Exists(_argvFile).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_ScriptInAStickyWorldWritableDirectory_Runs()
    {
        File.SetUnixFileMode(_scripts, Executable | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);

        var outcome = await NewAction(Script()).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
    }

    [Theory]
    [InlineData("fix.sh")]
    [InlineData("./fix.sh")]
    [InlineData("")]
    public async Task ExecuteAsync_RelativeScriptPath_IsRefused(string path)
    {
        var outcome = await NewAction(new ScriptDefinition { Path = path }).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldContain("is not an absolute path");
    }

    [Fact]
    public async Task ExecuteAsync_MissingScript_IsRefused()
    {
        var outcome = await NewAction(new ScriptDefinition { Path = Path.Combine(_scripts, "missing.sh") }).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldEndWith("missing.sh does not exist or is not a file");
    }

    [Fact]
    public async Task ExecuteAsync_ScriptReachedThroughALink_RunsTheResolvedFile()
    {
        var link = Path.Combine(_sandbox, "current.sh");
        File.CreateSymbolicLink(link, _script);

        var outcome = await NewAction(new ScriptDefinition { Path = link }).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Changes.ShouldBe([Quoted(_script)]);
    }

    [Fact]
    public async Task ExecuteAsync_ScriptRunsPastItsTimeout_IsKilledWithItsWholeProcessTree()
    {
        var script = Script("--sleep", "30");
        script.Timeout = Duration.Parse("1s");
        var started = TimeProvider.System.GetTimestamp();

        var outcome = await NewAction(script).ExecuteAsync(Request(), CancellationToken.None);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("script 'fix' timed out after 1s; its process tree was killed");
        outcome.Summary.ShouldContain("arg=--sleep");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));

        // The background child would have touched 'grandchild' after 2s, and the script 'finished' after 30s.
        await Task.Delay(TimeSpan.FromSeconds(3));
        File.Exists(Path.Combine(_sandbox, "grandchild")).ShouldBeFalse();
        File.Exists(Path.Combine(_sandbox, "finished")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_KillsTheScriptAndSaysSo()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var outcome = await NewAction(Script("--sleep", "30")).ExecuteAsync(Request(), cancel.Token);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("script 'fix' was stopped by the action time limit; its process tree was killed");
        await Task.Delay(TimeSpan.FromSeconds(3));
        File.Exists(Path.Combine(_sandbox, "grandchild")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_LongOutputWithControlCharacters_IsTruncatedAndCleaned()
    {
        var outcome = await NewAction(Script("--noise")).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Succeeded, outcome.Summary);
        outcome.Summary.ShouldNotContain("\u001b");
        outcome.Summary.ShouldNotContain("\r");
        outcome.Summary.ShouldContain("[31mred[0m\nxxx");
        outcome.Summary.ShouldMatch(@"x… \[truncated: 100\d\d bytes in all\]\z");
        var stdout = outcome.Summary[(outcome.Summary.IndexOf("stdout: ", StringComparison.Ordinal) + 8)..outcome.Summary.IndexOf('…', StringComparison.Ordinal)];
        stdout.Length.ShouldBeLessThanOrEqualTo(4096);
    }

    [Fact]
    public async Task ExecuteAsync_WorkingDirectory_IsTheScriptsDirectoryUnlessConfigured()
    {
        var configured = Script();
        configured.WorkingDirectory = _sandbox;

        var byDefault = await NewAction(Script()).ExecuteAsync(Request(), CancellationToken.None);
        var set = await NewAction(configured).ExecuteAsync(Request(), CancellationToken.None);
        configured.WorkingDirectory = Path.Combine(_sandbox, "missing");
        var missing = await NewAction(configured).ExecuteAsync(Request(), CancellationToken.None);

        byDefault.Summary.ShouldEndWith($"stdout: pwd={_scripts}");
        set.Summary.ShouldEndWith($"stdout: pwd={_sandbox}");
        missing.Status.ShouldBe(ActionStatus.Failed);
        missing.Summary.ShouldEndWith("missing does not exist");
    }

    [Fact]
    public async Task ExecuteAsync_ScriptNotExecutable_FailsToStartWithAReason()
    {
        File.SetUnixFileMode(_script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var outcome = await NewAction(Script()).ExecuteAsync(Request(), CancellationToken.None);

        outcome.Status.ShouldBe(ActionStatus.Failed);
        outcome.Summary.ShouldStartWith("script 'fix' could not be started: ");
    }

    [Fact]
    public void Catalog_ScriptIsRequiredAndMustBeAName()
    {
        HostActionCatalog.Load(Action, "").Errors.ShouldContain(e => e.ToString().Contains("script", StringComparison.Ordinal));
        HostActionCatalog.Load(Action, "script: \"../evil\"").Errors.ShouldNotBeEmpty();
        HostActionCatalog.Load(Action, "script: \"a b\"").Errors.ShouldNotBeEmpty();
        HostActionCatalog.Load(Action, "script: restart-api_2.v1").Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Validator_FlagsEveryBadScriptAndPassesAGoodOne()
    {
        var validator = new RunScriptOptionsValidator();
        var good = new RunScriptOptions { Scripts = new() { ["fix"] = Script("--service", "{service}", "{label:ns}", "{resource.host}") } };
        var bad = new RunScriptOptions
        {
            Scripts = new()
            {
                ["bad name"] = Script(),
                ["relative"] = new ScriptDefinition { Path = "fix.sh" },
                ["pattern"] = new ScriptDefinition { Path = _script, ValuePattern = "([" },
                ["placeholder"] = Script("{env:HOME}"),
                ["timeout"] = new ScriptDefinition { Path = _script, Timeout = Duration.Zero },
                ["workdir"] = new ScriptDefinition { Path = _script, WorkingDirectory = "tmp" },
            },
        };

        validator.Validate(null, good).Succeeded.ShouldBeTrue();
        var failures = validator.Validate(null, bad).Failures!.ToList();
        failures.Count.ShouldBe(6, string.Join("\n", failures));
        failures.ShouldContain(f => f.StartsWith("Actions:RunScript:Scripts:placeholder:Arguments:0: unknown placeholder {env:HOME}", StringComparison.Ordinal));
    }
}

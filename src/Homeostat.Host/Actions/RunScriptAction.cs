using System.ComponentModel;
using System.Text.RegularExpressions;
using System.Text;
using Homeostat.Primitives;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Host.Actions;

public sealed class RunScriptOptions
{
    public const string Section = "Actions:RunScript";

    /// <summary>The scripts the catalog may name, by name. Empty means run_script refuses everything.</summary>
    public Dictionary<string, ScriptDefinition> Scripts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The script of that name, matched exactly first and then ignoring case (configuration keys ignore case).</summary>
    public ScriptDefinition? Find(string name) =>
        Scripts.TryGetValue(name, out var exact) ? exact
        : Scripts.Where(s => string.Equals(s.Key, name, StringComparison.OrdinalIgnoreCase)).Select(s => s.Value).FirstOrDefault();
}

/// <summary>One allowlisted script: what runs, with which argument templates, for how long.</summary>
public sealed class ScriptDefinition
{
    /// <summary>What a value filled from the signal must match when the script sets no pattern of its own.</summary>
    public const string DefaultValuePattern = "^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,252}$";

    /// <summary>The absolute path of the script; it must exist and be neither world-writable nor in a world-writable directory.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// One entry per argv entry. Placeholders <c>{service}</c>, <c>{label:NAME}</c>, <c>{resource.namespace}</c>,
    /// <c>{resource.name}</c> and <c>{resource.host}</c> are filled from the signal; the rest is passed as written.
    /// </summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>How long the script may run before its process tree is killed.</summary>
    public Duration Timeout { get; set; } = HostActionDescriptors.DefaultScriptTimeout;

    /// <summary>The absolute directory the script runs in; by default the script's own directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>What every value filled from the signal must match, as a whole; control characters are always refused.</summary>
    public string ValuePattern { get; set; } = DefaultValuePattern;
}

/// <summary>
/// Runs an allowlisted script directly (execve, never a shell), each filled argument as its own argv entry. Exit 0 is
/// success, exit 3 means "already in the desired state" (<see cref="ActionStatus.NoChange"/>), anything else fails.
/// The preview shows the exact argv and runs nothing.
/// </summary>
public sealed partial class RunScriptAction(IOptionsMonitor<RunScriptOptions> options, TimeProvider timeProvider) : IRemediationAction
{
    /// <summary>The exit code a script uses to say it found nothing to change.</summary>
    public const int AlreadyDoneExitCode = 3;

    private const int MaxValueLength = 4096;
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    public ActionDescriptor Descriptor => HostActionDescriptors.RunScript;

    public Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryPlan(request, out var plan, out var problem))
        {
            return Task.FromResult(ActionPreview.Refused(problem));
        }

        return Task.FromResult(new ActionPreview(
            true,
            $"would run script '{plan.Name}' ({plan.Argv.Count - 1} argument(s), in {plan.WorkingDirectory}, time limit {plan.Timeout}); exit 0 is success, exit {AlreadyDoneExitCode} means nothing to change",
            [plan.Describe()]));
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryPlan(request, out var plan, out var problem))
        {
            return ActionOutcome.Failed(problem);
        }

        ProcessResult result;
        try
        {
            result = await BoundedProcess.RunAsync(plan.Argv[0], plan.Argv.Skip(1).ToList(), plan.WorkingDirectory, plan.Timeout.Value, timeProvider, cancellationToken);
        }
        catch (Exception exception) when (exception is Win32Exception or IOException or UnauthorizedAccessException)
        {
            return ActionOutcome.Failed($"script '{plan.Name}' could not be started: {exception.Message}");
        }

        var output = Output(result);
        if (result.TimedOut)
        {
            return new ActionOutcome(ActionStatus.Failed, $"script '{plan.Name}' timed out after {plan.Timeout}; its process tree was killed{output}", [plan.Describe()]);
        }

        if (result.Cancelled)
        {
            return new ActionOutcome(ActionStatus.Failed, $"script '{plan.Name}' was stopped by the action time limit; its process tree was killed{output}", [plan.Describe()]);
        }

        return result.ExitCode switch
        {
            0 => new ActionOutcome(ActionStatus.Succeeded, $"script '{plan.Name}' succeeded (exit 0){output}", [plan.Describe()]),
            AlreadyDoneExitCode => new ActionOutcome(ActionStatus.NoChange, $"script '{plan.Name}' reports already in the desired state (exit {AlreadyDoneExitCode}){output}", []),
            var code => new ActionOutcome(ActionStatus.Failed, $"script '{plan.Name}' failed with exit code {code}{output}", [plan.Describe()]),
        };
    }

    private static string Output(ProcessResult result)
    {
        var text = new StringBuilder();
        if (result.StandardOutput.Length > 0)
        {
            text.Append("\nstdout: ").Append(result.StandardOutput);
        }

        if (result.StandardError.Length > 0)
        {
            text.Append("\nstderr: ").Append(result.StandardError);
        }

        return text.ToString();
    }

    private bool TryPlan(ActionRequest request, out ScriptPlan plan, out string problem)
    {
        plan = null!;
        var name = request.Parameters.String("script");
        if (name is null)
        {
            problem = "refused: the catalog sets no script parameter";
            return false;
        }

        var configured = options.CurrentValue;
        if (configured.Find(name) is not { } script)
        {
            problem = $"refused: no script named {HostText.Quote(name, 80)} is configured under {RunScriptOptions.Section}:Scripts"
                + (configured.Scripts.Count == 0 ? " (none are configured)" : $" (configured: {string.Join(", ", configured.Scripts.Keys.Order(StringComparer.Ordinal))})");
            return false;
        }

        if (!TryCheckScript(script.Path, out var executable, out problem)
            || !TryWorkingDirectory(script, executable, out var workingDirectory, out problem))
        {
            problem = $"refused: script '{name}': {problem}";
            return false;
        }

        if (script.Timeout.Value <= TimeSpan.Zero)
        {
            problem = $"refused: script '{name}': its Timeout must be longer than zero (got {script.Timeout})";
            return false;
        }

        Regex pattern;
        try
        {
            pattern = new Regex(script.ValuePattern, RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (ArgumentException exception)
        {
            problem = $"refused: script '{name}': its ValuePattern is not a valid regular expression: {exception.Message}";
            return false;
        }

        var argv = new List<string> { executable };
        for (var i = 0; i < script.Arguments.Count; i++)
        {
            if (!TryFill(script.Arguments[i], request.Signal, pattern, out var argument, out problem))
            {
                problem = $"refused: script '{name}' argument {i + 1}: {problem}";
                return false;
            }

            argv.Add(argument);
        }

        plan = new ScriptPlan(name, argv, workingDirectory, script.Timeout);
        return true;
    }

    /// <summary>Fills one argument template; every value from the signal must match the pattern as a whole.</summary>
    private static bool TryFill(string template, Signal signal, Regex pattern, out string argument, out string problem)
    {
        var builder = new StringBuilder();
        var last = 0;
        foreach (Match placeholder in Placeholder().Matches(template))
        {
            builder.Append(template, last, placeholder.Index - last);
            last = placeholder.Index + placeholder.Length;
            var key = placeholder.Groups["key"].Value;
            if (!TryResolve(key, signal, out var value, out problem))
            {
                argument = string.Empty;
                return false;
            }

            if (!IsAllowedValue(value, pattern, out var why))
            {
                argument = string.Empty;
                problem = $"the value of {{{key}}}, {HostText.Quote(value, 80)}, {why}";
                return false;
            }

            builder.Append(value);
        }

        builder.Append(template, last, template.Length - last);
        argument = builder.ToString();
        problem = string.Empty;
        return true;
    }

    internal static bool TryResolve(string key, Signal signal, out string value, out string problem)
    {
        string? found;
        string where;
        if (key == "service")
        {
            found = signal.Service is { Length: > 0 } service ? service : signal.Label("service");
            where = "the signal names no service";
        }
        else if (key.StartsWith("label:", StringComparison.Ordinal) && key.Length > "label:".Length)
        {
            var label = key["label:".Length..];
            found = signal.Label(label);
            where = $"the signal has no label '{label}'";
        }
        else
        {
            (found, where) = key switch
            {
                "resource.namespace" => (signal.Resource?.Namespace, "the signal's resource has no namespace"),
                "resource.name" => (signal.Resource?.Name, "the signal's resource has no name"),
                "resource.host" => (signal.Resource?.Host, "the signal's resource has no host"),
                _ => (null, string.Empty),
            };
            if (where.Length == 0)
            {
                value = string.Empty;
                problem = $"unknown placeholder {{{key}}}; known: {{service}}, {{label:NAME}}, {{resource.namespace}}, {{resource.name}}, {{resource.host}}";
                return false;
            }
        }

        if (string.IsNullOrEmpty(found))
        {
            value = string.Empty;
            problem = $"placeholder {{{key}}} has no value: {where}";
            return false;
        }

        value = found;
        problem = string.Empty;
        return true;
    }

    private static bool IsAllowedValue(string value, Regex pattern, out string why)
    {
        if (value.Length > MaxValueLength)
        {
            why = $"is longer than {MaxValueLength} characters";
            return false;
        }

        if (value.Any(char.IsControl))
        {
            why = "holds control characters";
            return false;
        }

        try
        {
            // The match must cover the whole value: '$' alone would also match before a final newline.
            var match = pattern.Match(value);
            if (match.Success && match.Index == 0 && match.Length == value.Length)
            {
                why = string.Empty;
                return true;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            why = "took too long to check against the ValuePattern";
            return false;
        }

        why = $"does not match the ValuePattern {pattern}";
        return false;
    }

    private static bool TryCheckScript(string path, out string executable, out string problem)
    {
        executable = string.Empty;
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl) || !Path.IsPathFullyQualified(path))
        {
            problem = $"the script path {HostText.Quote(path ?? string.Empty, 200)} is not an absolute path";
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            problem = "run_script runs scripts on Unix-like hosts only";
            return false;
        }

        // The resolved file is what runs, so a link swapped in after the check cannot change the program.
        var real = SafePaths.RealPath(Path.GetFullPath(path));
        var file = new FileInfo(real);
        if (!file.Exists)
        {
            problem = $"{path} does not exist or is not a file";
            return false;
        }

        var shown = real == path ? path : $"{path} (really {real})";
        if (File.GetUnixFileMode(real).HasFlag(UnixFileMode.OtherWrite))
        {
            problem = $"{shown} is world-writable; anyone could change what runs";
            return false;
        }

        var directory = file.DirectoryName!;
        var directoryMode = File.GetUnixFileMode(directory);
        if (directoryMode.HasFlag(UnixFileMode.OtherWrite) && !directoryMode.HasFlag(UnixFileMode.StickyBit))
        {
            problem = $"{shown} is in the world-writable directory {directory}; anyone could replace it";
            return false;
        }

        executable = real;
        problem = string.Empty;
        return true;
    }

    private static bool TryWorkingDirectory(ScriptDefinition script, string executable, out string directory, out string problem)
    {
        directory = script.WorkingDirectory is { Length: > 0 } configured ? configured : Path.GetDirectoryName(executable)!;
        if (!Path.IsPathFullyQualified(directory) || directory.Any(char.IsControl))
        {
            problem = $"the working directory {HostText.Quote(directory, 200)} is not an absolute path";
            return false;
        }

        if (!Directory.Exists(directory))
        {
            problem = $"the working directory {directory} does not exist";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    [GeneratedRegex(@"\{(?<key>[^{}]*)\}")]
    internal static partial Regex Placeholder();

    private sealed record ScriptPlan(string Name, IReadOnlyList<string> Argv, string WorkingDirectory, Duration Timeout)
    {
        public string Describe() => "run " + HostText.Argv(Argv);
    }
}

/// <summary>Checks the scripts at start-up: names, absolute paths, timeouts, patterns and placeholders.</summary>
public sealed class RunScriptOptionsValidator : IValidateOptions<RunScriptOptions>
{
    public ValidateOptionsResult Validate(string? name, RunScriptOptions options)
    {
        var errors = new List<string>();
        foreach (var (scriptName, script) in options.Scripts)
        {
            var where = $"{RunScriptOptions.Section}:Scripts:{scriptName}";
            if (!Regex.IsMatch(scriptName, $"^(?:{HostActionDescriptors.ScriptName})$"))
            {
                errors.Add($"{where}: the name must match {HostActionDescriptors.ScriptName} so the catalog can name it");
            }

            if (string.IsNullOrWhiteSpace(script.Path) || !Path.IsPathFullyQualified(script.Path))
            {
                errors.Add($"{where}:Path must be an absolute path (got '{script.Path}')");
            }

            if (script.WorkingDirectory is { Length: > 0 } directory && !Path.IsPathFullyQualified(directory))
            {
                errors.Add($"{where}:WorkingDirectory must be an absolute path (got '{directory}')");
            }

            if (script.Timeout.Value <= TimeSpan.Zero)
            {
                errors.Add($"{where}:Timeout must be longer than zero (got {script.Timeout})");
            }

            try
            {
                _ = new Regex(script.ValuePattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
            }
            catch (ArgumentException exception)
            {
                errors.Add($"{where}:ValuePattern is not a valid regular expression: {exception.Message}");
            }

            for (var i = 0; i < script.Arguments.Count; i++)
            {
                foreach (Match placeholder in RunScriptAction.Placeholder().Matches(script.Arguments[i]))
                {
                    var key = placeholder.Groups["key"].Value;
                    var probe = new Signal { Id = "validate", Source = SignalSources.Api };
                    if (!RunScriptAction.TryResolve(key, probe, out _, out var problem) && problem.StartsWith("unknown placeholder", StringComparison.Ordinal))
                    {
                        errors.Add($"{where}:Arguments:{i}: {problem}");
                    }
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.ComponentModel;
using System.Text.RegularExpressions;
using Homeostat.Remediation;
using Microsoft.Extensions.Options;

namespace Homeostat.Host.Actions;

public sealed class RestartServiceOptions
{
    public const string Section = "Actions:RestartService";

    /// <summary>
    /// The units restart_service may restart: exact names (<c>nginx.service</c>; <c>nginx</c> means <c>nginx.service</c>)
    /// or prefixes ending in <c>*</c> (<c>worker-*</c>). Empty means it refuses everything.
    /// </summary>
    public List<string> AllowedUnits { get; set; } = [];
}

/// <summary>What a systemctl call returned.</summary>
public sealed record SystemctlResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>The seam to systemctl: whether systemd runs here, and running systemctl with an exact argv (never a shell).</summary>
public interface ISystemctl
{
    bool IsSystemdRunning { get; }

    Task<SystemctlResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>Runs the real <c>systemctl</c> from PATH, directly, with each argument as its own argv entry.</summary>
public sealed class Systemctl : ISystemctl
{
    /// <summary>Present exactly when systemd is the running init system (what sd_booted(3) checks).</summary>
    public const string SystemdRunDirectory = "/run/systemd/system";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(3);
    private readonly TimeProvider _timeProvider;
    private readonly string _runDirectory;

    public Systemctl(TimeProvider timeProvider)
        : this(timeProvider, SystemdRunDirectory)
    {
    }

    internal Systemctl(TimeProvider timeProvider, string runDirectory)
    {
        _timeProvider = timeProvider;
        _runDirectory = runDirectory;
    }

    public bool IsSystemdRunning => Directory.Exists(_runDirectory);

    public async Task<SystemctlResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await BoundedProcess.RunAsync("systemctl", arguments, "/", CallTimeout, _timeProvider, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return result.TimedOut
            ? new SystemctlResult(-1, result.StandardOutput, $"systemctl timed out after {CallTimeout.TotalSeconds:0}s and was killed. {result.StandardError}")
            : new SystemctlResult(result.ExitCode ?? -1, result.StandardOutput, result.StandardError);
    }
}

/// <summary>
/// Restarts an allowlisted systemd unit with <c>systemctl restart UNIT</c>. A restart is not idempotent: the preview
/// names the unit, and every execution restarts it, reporting its ActiveState before and after.
/// </summary>
public sealed partial class RestartServiceAction(IOptionsMonitor<RestartServiceOptions> options, ISystemctl systemctl) : IRemediationAction
{
    private static readonly string[] UnitSuffixes = [".service", ".socket", ".timer"];

    public ActionDescriptor Descriptor => HostActionDescriptors.RestartService;

    public async Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryResolveUnit(request, out var unit, out var problem, out var inapplicable))
        {
            return inapplicable ? ActionPreview.NotApplicable(problem) : ActionPreview.Refused(problem);
        }

        var state = await ActiveStateAsync(unit, cancellationToken);
        return new ActionPreview(
            true,
            $"would restart {unit} (ActiveState now {state}); a restart is not idempotent: it happens on every run",
            [Describe(unit)]);
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryResolveUnit(request, out var unit, out var problem, out var inapplicable))
        {
            return inapplicable ? ActionOutcome.NotApplicable(problem) : ActionOutcome.Failed(problem);
        }

        try
        {
            var before = await ActiveStateAsync(unit, cancellationToken);
            var result = await systemctl.RunAsync(["restart", unit], cancellationToken);
            if (result.ExitCode != 0)
            {
                var error = result.StandardError.Length > 0 ? $": {result.StandardError}" : string.Empty;
                return ActionOutcome.Failed($"systemctl restart {unit} failed with exit code {result.ExitCode} (ActiveState was {before}){error}");
            }

            var after = await ActiveStateAsync(unit, cancellationToken);
            return new ActionOutcome(ActionStatus.Succeeded, $"restarted {unit}: ActiveState {before} -> {after}", [Describe(unit)]);
        }
        catch (Exception exception) when (exception is Win32Exception or IOException)
        {
            return ActionOutcome.Failed($"systemctl could not be run to restart {unit}: {exception.Message}");
        }
    }

    private static string Describe(string unit) => $"restart {unit}";

    private async Task<string> ActiveStateAsync(string unit, CancellationToken cancellationToken)
    {
        try
        {
            var result = await systemctl.RunAsync(["show", "-p", "ActiveState", "--value", unit], cancellationToken);
            var state = result.StandardOutput.Trim();
            return result.ExitCode == 0 && state.Length > 0 ? state : "unknown";
        }
        catch (Exception exception) when (exception is Win32Exception or IOException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// The unit to restart, normalised, checked against the name pattern, the allowlist and systemd being up. A unit the
    /// signal names (not the catalog) that is no unit this action may restart is <paramref name="inapplicable"/>.
    /// </summary>
    private bool TryResolveUnit(ActionRequest request, out string unit, out string problem, out bool inapplicable)
    {
        unit = string.Empty;
        var fromCatalog = request.Parameters.String("unit");
        var raw = fromCatalog ?? request.Signal.Label("unit") ?? request.Signal.Label("service");
        inapplicable = fromCatalog is null;
        if (string.IsNullOrEmpty(raw))
        {
            problem = "the signal names no unit (labels unit or service) and the catalog sets no unit parameter";
            return false;
        }

        if (!TryNormalize(raw, out unit))
        {
            problem = $"refused: {HostText.Quote(raw, 80)} is not a valid systemd unit name";
            return false;
        }

        var allowed = options.CurrentValue.AllowedUnits;
        if (allowed.Count == 0)
        {
            problem = $"refused: no units are allowlisted ({RestartServiceOptions.Section}:AllowedUnits is empty)";
            return false;
        }

        var candidate = unit;
        if (!allowed.Any(entry => IsAllowed(candidate, entry)))
        {
            problem = $"refused: {unit} is not in {RestartServiceOptions.Section}:AllowedUnits ({string.Join(", ", allowed)})";
            return false;
        }

        inapplicable = false;
        if (!systemctl.IsSystemdRunning)
        {
            problem = "systemd is not running on this host";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    /// <summary>Adds <c>.service</c> when the name has no unit suffix, then checks the whole name; a leading '-' would read as an option.</summary>
    internal static bool TryNormalize(string raw, out string unit)
    {
        unit = UnitSuffixes.Any(s => raw.EndsWith(s, StringComparison.Ordinal)) ? raw : raw + ".service";
        return !unit.StartsWith('-') && ValidUnit().IsMatch(unit);
    }

    internal static bool IsAllowed(string unit, string entry)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        if (entry.EndsWith('*'))
        {
            var prefix = entry[..^1];
            return prefix.Length > 0 && !prefix.Contains('*', StringComparison.Ordinal) && unit.StartsWith(prefix, StringComparison.Ordinal);
        }

        return TryNormalize(entry, out var exact) && string.Equals(unit, exact, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9:_.@-]{1,255}\.(service|socket|timer)\z")]
    private static partial Regex ValidUnit();
}

/// <summary>Checks the allowlist at start-up: every entry a valid unit name or a prefix ending in '*'.</summary>
public sealed class RestartServiceOptionsValidator : IValidateOptions<RestartServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, RestartServiceOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedUnits.Count; i++)
        {
            var entry = options.AllowedUnits[i] ?? string.Empty;
            var valid = entry.EndsWith('*')
                ? entry.Length > 1 && !entry[..^1].Contains('*', StringComparison.Ordinal) && RestartServiceAction.TryNormalize(entry[..^1] + "x", out _)
                : RestartServiceAction.TryNormalize(entry, out _);
            if (!valid)
            {
                errors.Add($"{RestartServiceOptions.Section}:AllowedUnits:{i}: '{entry}' is neither a valid unit name nor a prefix ending in '*'");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

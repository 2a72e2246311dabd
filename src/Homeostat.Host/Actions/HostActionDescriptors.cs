using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;

namespace Homeostat.Host.Actions;

/// <summary>The parameter schemas of the host actions: cleaning a directory, running an allowlisted script, restarting a unit.</summary>
public static class HostActionDescriptors
{
    /// <summary>A configured script's name, as the catalog's <c>script</c> parameter gives it.</summary>
    public const string ScriptName = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    /// <summary>A systemd unit name as the catalog may write it, with or without the .service/.socket/.timer suffix.</summary>
    public const string UnitName = "[A-Za-z0-9:_.@][A-Za-z0-9:_.@-]{0,254}";

    public static readonly ActionDescriptor CleanDirectory = new(
        "clean_directory",
        "Delete files older than a threshold that match a glob, keeping the newest few, inside allowlisted directories only; never follows a symbolic link.",
        [
            new ParameterSpec("path", ParameterKind.String, "the directory to clean when the signal carries no path label; a path from the signal must lie inside it"),
            new ParameterSpec("older_than", ParameterKind.Duration, "delete only files not written to for this long") { Required = true, Minimum = 1 },
            new ParameterSpec("pattern", ParameterKind.String, "which files may be deleted (a case-sensitive glob on the file name)") { Default = "*", Pattern = @"[A-Za-z0-9._*?\-\[\]]+" },
            new ParameterSpec("recursive", ParameterKind.Boolean, "also clean subdirectories (linked directories are never entered)") { Default = false },
            new ParameterSpec("keep_newest", ParameterKind.Integer, "the newest matching files always kept, whatever their age") { Default = 0L, Minimum = 0, Maximum = 100_000 },
            new ParameterSpec("max_files", ParameterKind.Integer, "the most files one run deletes (the oldest first); the rest wait for a later run") { Default = 1000L, Minimum = 1, Maximum = 100_000 },
            .. KnownActions.DiskBudgetParameters,
        ])
    {
        Premise = KnownActions.DiskOverBudget,
    };

    public static readonly ActionDescriptor RunScript = new(
        "run_script",
        "Run a script configured under Actions:RunScript:Scripts, without a shell, with arguments filled from the signal and checked against a pattern. Exit 0 succeeds, exit 3 means already in the desired state.",
        [
            new ParameterSpec("script", ParameterKind.String, "the name of a script configured under Actions:RunScript:Scripts") { Required = true, Pattern = ScriptName },
        ])
    {
        Premise = PremiseDescriptor.Unobservable("a script does whatever it does: Homeostat cannot check that the fault it fixes is there; let the script exit 3 when there is nothing to do"),
    };

    public static readonly ActionDescriptor RestartService = new(
        "restart_service",
        "Restart a systemd unit allowlisted under Actions:RestartService:AllowedUnits (systemctl restart, without a shell). A restart is not idempotent: it always happens.",
        [
            new ParameterSpec("unit", ParameterKind.String, "the unit to restart (.service is added when no suffix is given); otherwise the signal's unit or service label") { Pattern = UnitName },
        ])
    {
        Premise = PremiseDescriptor.Unobservable("systemd says whether a unit runs, not whether it is the fault the signal reports (hung, leaking, wedged): a restart cannot check its premise"),
    };

    public static IReadOnlyList<ActionDescriptor> All { get; } = [CleanDirectory, RunScript, RestartService];

    internal static Duration DefaultScriptTimeout => Duration.Parse("30s");
}

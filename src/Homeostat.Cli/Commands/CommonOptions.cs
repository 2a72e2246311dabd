using System.CommandLine;

namespace Homeostat.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c") { Description = "The config file (YAML)." };

    public static Option<string?> Data() => new("--data", "-d") { Description = "The embedded store's folder (default: the config's 'data', else ./.homeostat)." };
}

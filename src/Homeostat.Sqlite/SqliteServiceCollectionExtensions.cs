using Homeostat.Audit;
using Homeostat.Configuration;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Homeostat.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>The embedded SQLite store, in the folder or at the connection string <paramref name="configure"/> sets.</summary>
    public static HomeostatBuilder AddSqliteStore(this HomeostatBuilder builder, Action<SqliteStoreOptions> configure) => builder.AddModule(ModuleNames.Sqlite, module =>
    {
        var services = module.Services;
        services.AddOptions<SqliteStoreOptions>().Configure(configure);
        services.TryAddSingleton<TimeProvider>(TimeProvider.System);
        services.AddSingleton<SqliteStore>();
        services.AddSingleton<IHomeostatStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditFilesOutsideDataValidator>();
        services.AddSingleton<IStoreIntegrity, SqliteStoreIntegrity>();
    });
}

/// <summary>
/// The audit key and the checkpoints must not live in the data directory: whoever can rewrite the store could then
/// read the key and recompute the chain, or remove the checkpoints with the store.
/// </summary>
public sealed class AuditFilesOutsideDataValidator(IOptions<SqliteStoreOptions> store) : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        if (store.Value.ConnectionString is not null)
        {
            return ValidateOptionsResult.Success;
        }

        var data = store.Value.DataDirectory;
        var errors = new List<string>();
        if (options.KeyFile is { Length: > 0 } keyFile && AuditOptionsValidator.IsInside(keyFile, data))
        {
            errors.Add($"audit.key_file '{keyFile}'{Resolved(keyFile)} is inside the data directory {Path.GetFullPath(data)}: keep the key where whoever can write the store cannot read it");
        }

        for (var i = 0; i < options.PreviousKeyFiles.Count; i++)
        {
            if (AuditOptionsValidator.IsInside(options.PreviousKeyFiles[i], data))
            {
                errors.Add($"audit.previous_key_files[{i}] '{options.PreviousKeyFiles[i]}'{Resolved(options.PreviousKeyFiles[i])} is inside the data directory {Path.GetFullPath(data)}: keep keys outside it");
            }
        }

        if (options.Checkpoints.Directory is { Length: > 0 } checkpoints && AuditOptionsValidator.IsInside(checkpoints, data))
        {
            errors.Add($"audit.checkpoints.directory '{checkpoints}'{Resolved(checkpoints)} is inside the data directory {Path.GetFullPath(data)}: checkpoints must survive the store being emptied or replaced");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Where a path leads once its symbolic links are followed, when that differs from what is written.</summary>
    private static string Resolved(string path) =>
        AuditOptionsValidator.RealPath(path) is var real && real != Path.GetFullPath(path) ? $" (which resolves to {real})" : string.Empty;
}

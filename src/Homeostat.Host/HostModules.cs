using Homeostat.Configuration;
using Homeostat.Host.Actions;
using Homeostat.Host.Actions.Certificates;
using Homeostat.Host.Probes;
using Homeostat.Probes;
using Homeostat.Remediation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeostat.Host;

public static class HostModules
{
    /// <summary>
    /// The actions that change this host: rotate_and_compress_logs, trigger_cert_renewal (through an ACME client; the
    /// Kubernetes module adds the cert-manager half), clean_directory, run_script and restart_service, each with its
    /// <c>actions.*</c> section.
    /// </summary>
    public static HomeostatBuilder AddHostActions(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.HostActions, module =>
    {
        module.Options<RotateAndCompressLogsOptions>(RotateAndCompressLogsOptions.Section)
            .Action<RotateAndCompressLogsAction>(KnownActions.RotateAndCompressLogs)
            .Options<HostCertificateOptions>(HostCertificateOptions.Section)
            .Action<HostCertificateRenewalAction>(KnownActions.TriggerCertRenewal)
            .Options<CleanDirectoryOptions>(CleanDirectoryOptions.Section)
            .Action<CleanDirectoryAction>(HostActionDescriptors.CleanDirectory)
            .Options<RunScriptOptions, RunScriptOptionsValidator>(RunScriptOptions.Section)
            .Action<RunScriptAction>(HostActionDescriptors.RunScript)
            .Options<RestartServiceOptions, RestartServiceOptionsValidator>(RestartServiceOptions.Section)
            .Action<RestartServiceAction>(HostActionDescriptors.RestartService);
        module.Services.TryAddSingleton<ISystemctl, Systemctl>();
        module.Services.TryAddSingleton<IFilesystemUsage, DriveFilesystemUsage>();
    });

    /// <summary>The probe kinds that look at this host: directory and filesystem usage, inodes, memory, certificate expiry, HTTP latency.</summary>
    public static HomeostatBuilder AddHostProbes(this HomeostatBuilder builder) => builder.AddModule(ModuleNames.HostProbes, module => module
        .Probe<DirectorySizeProbeKind>()
        .Probe<FilesystemUsageProbeKind>()
        .Probe<FilesystemInodesProbeKind>()
        .Probe<MemoryUsageProbeKind>()
        .Probe<CertificateExpiryProbeKind>()
        .Probe<HttpLatencyProbeKind>());
}

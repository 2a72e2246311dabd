using System.CommandLine;
using Homeostat.Catalog;
using Homeostat.Guardrails;
using Homeostat.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Homeostat.Cli.Commands;

internal static class RunCommand
{
    public static Command Create(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var listen = new Option<string?>("--listen", "-l") { Description = "Where the HTTP API listens (default http://127.0.0.1:8088)." };
        var live = new Option<bool>("--live") { Description = "Act for real. Without it (and without guardrails.dry_run: false in the config) every action is a dry run." };
        var command = new Command("run", "Run the service: the HTTP API, the healing loop and the host probes.") { config, data, listen, live };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var app = HomeostatApplication.Build(new HomeostatAppSettings
            {
                ConfigPath = parse.GetValue(config),
                DataDirectory = parse.GetValue(data),
                Listen = parse.GetValue(listen),
                Live = parse.GetValue(live) ? true : null,
            });
            await using (app)
            {
                var catalog = app.Services.GetRequiredService<ICatalogProvider>().Current;
                await app.StartHomeostatAsync(cancellationToken);
                var guardrails = app.Services.GetRequiredService<IOptions<GuardrailOptions>>().Value;
                var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                await io.Out.WriteLineAsync($"homeostat: listening on {string.Join(", ", addresses)}");
                await io.Out.WriteLineAsync($"homeostat: catalog {catalog.Source} version {catalog.Version} with {catalog.Remediations.Count} remediation(s)");
                await io.Out.WriteLineAsync(guardrails.DryRun
                    ? "homeostat: DRY-RUN: every action is previewed and nothing is changed (use --live to act)"
                    : $"homeostat: LIVE: remediations act once out of their shadow period ({guardrails.ShadowPeriod} by default)");
                var notifiers = app.Services.GetRequiredService<Escalation.NotifierSet>();
                await io.Out.WriteLineAsync(notifiers.CanPage
                    ? $"homeostat: escalations are paged through {string.Join(", ", notifiers.Names)}"
                    : $"homeostat: WARNING: {Escalation.NotifierSet.LogOnlyWarning}");
                await io.Out.FlushAsync(cancellationToken);
                try
                {
                    await app.WaitForShutdownAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                await app.StopAsync(CancellationToken.None);
            }

            return HomeostatCli.Success;
        });
        return command;
    }
}

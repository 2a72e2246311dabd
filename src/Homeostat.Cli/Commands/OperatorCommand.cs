using System.CommandLine;
using Homeostat.Healing;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>A human answering the guardrails: resume a suspended remediation, or promote one out of its shadow period.</summary>
internal static class OperatorCommand
{
    public static Command CreateResume(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var service = new Option<string>("--service", "-s") { Description = "The service whose remediation was suspended.", Required = true };
        var failureClass = new Option<string>("--class") { Description = "The failure class whose remediation was suspended.", Required = true };
        var by = new Option<string>("--by") { Description = "Who resumes it, for the audit trail.", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("resume", "Resume a remediation the rate limit suspended for a service.") { service, failureClass, by, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var result = await services.GetRequiredService<OperatorCommands>().ResumeAsync(parse.GetValue(service)!, parse.GetValue(failureClass)!, parse.GetValue(by)!, cancellationToken);
            await (result.Changed ? io.Out : io.Error).WriteLineAsync(result.Detail);
            return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }

    public static Command CreatePromote(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var failureClass = new Argument<string>("class") { Description = "The failure class whose current remediation spec is promoted." };
        var by = new Option<string>("--by") { Description = "Who promotes it, for the audit trail.", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("promote", "End a remediation's shadow period early so it may act for real.") { failureClass, by, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var result = await services.GetRequiredService<OperatorCommands>().PromoteAsync(parse.GetValue(failureClass)!, parse.GetValue(by)!, cancellationToken);
            await (result.Changed ? io.Out : io.Error).WriteLineAsync(result.Detail);
            return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }
}

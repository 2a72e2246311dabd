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

    public static Command CreateApprove(CliIo io) => CreateAnswer(io, "approve", "Approve the action an incident waits on; the guardrails are checked again before it runs.", approve: true);

    public static Command CreateReject(CliIo io) => CreateAnswer(io, "reject", "Reject the action an incident waits on; it escalates with approval_rejected.", approve: false);

    public static Command CreateResolve(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var incident = new Argument<string>("incident") { Description = "The incident to close." };
        var by = new Option<string>("--by") { Description = "Who resolves it, for the audit trail.", DefaultValueFactory = _ => Environment.UserName };
        var note = new Option<string?>("--note") { Description = "Why, for the audit trail." };
        var command = new Command("resolve", "Close an incident by hand (fixed by a human, or a source that never reports resolved).") { incident, by, note, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var result = await services.GetRequiredService<OperatorCommands>().ResolveAsync(parse.GetValue(incident)!, parse.GetValue(by)!, parse.GetValue(note), cancellationToken);
            await (result.Changed ? io.Out : io.Error).WriteLineAsync(result.Detail);
            return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }

    private static Command CreateAnswer(CliIo io, string name, string description, bool approve)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var incident = new Argument<string>("incident") { Description = "The incident in pending_approval." };
        var by = new Option<string>("--by") { Description = "Who answers, for the audit trail.", DefaultValueFactory = _ => Environment.UserName };
        var note = new Option<string?>("--note") { Description = "Why, for the audit trail." };
        var command = new Command(name, description) { incident, by, note, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var commands = services.GetRequiredService<OperatorCommands>();
            var result = approve
                ? await commands.ApproveAsync(parse.GetValue(incident)!, parse.GetValue(by)!, cancellationToken)
                : await commands.RejectAsync(parse.GetValue(incident)!, parse.GetValue(by)!, parse.GetValue(note), cancellationToken);
            await (result.Changed ? io.Out : io.Error).WriteLineAsync(result.Detail);
            return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }

    public static Command CreateLabel(CliIo io)
    {
        var config = CommonOptions.Config();
        var data = CommonOptions.Data();
        var incident = new Argument<string>("incident") { Description = "The incident whose true class you know." };
        var failureClass = new Argument<string>("class") { Description = "Its class: one of the catalog's classes, or unknown." };
        var by = new Option<string>("--by") { Description = "Who labels it, for the audit trail.", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("label", "Record an incident's true class, for homeostat train --from-audit.") { incident, failureClass, by, config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = OfflineServices.Build(parse.GetValue(config), parse.GetValue(data));
            var result = await services.GetRequiredService<OperatorCommands>().LabelAsync(parse.GetValue(incident)!, parse.GetValue(failureClass)!, parse.GetValue(by)!, cancellationToken);
            await (result.Changed ? io.Out : io.Error).WriteLineAsync(result.Detail);
            return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
        });
        return command;
    }
}

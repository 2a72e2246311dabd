using System.CommandLine;
using Homeostat.Cli.Client;
using Homeostat.Healing;
using Homeostat.Primitives;

namespace Homeostat.Cli.Commands;

/// <summary>
/// A human answering the guardrails: approve, reject, resolve, label, resume a suspended remediation, or promote one out
/// of its shadow period. With <c>--server</c> (or <c>server.url</c>) the running service's API does it, so it works
/// against a remote or replicated deployment; without, the store is opened directly. Either way the same sentence is
/// printed: on standard output with exit 0 when done, on standard error with exit 1 when refused.
/// </summary>
internal static class OperatorCommand
{
    private delegate Task<OperatorResult> Act(IOperatorTarget target, ParseResult parse, string by, CancellationToken cancellationToken);

    public static Command CreateResume(CliIo io)
    {
        var service = new Option<string>("--service", "-s") { Description = "The service whose remediation was suspended.", Required = true };
        var failureClass = new Option<string>("--class") { Description = "The failure class whose remediation was suspended.", Required = true };
        return Create(io, "resume", "Resume a remediation the rate limit suspended for a service.", "Who resumes it", [service, failureClass],
            (target, parse, by, ct) => target.ResumeAsync(parse.GetValue(service)!, parse.GetValue(failureClass)!, by, ct));
    }

    public static Command CreatePromote(CliIo io)
    {
        var failureClass = new Argument<string>("class") { Description = "The failure class whose current remediation spec is promoted." };
        return Create(io, "promote", "End a remediation's shadow period early so it may act for real.", "Who promotes it", [failureClass],
            (target, parse, by, ct) => target.PromoteAsync(parse.GetValue(failureClass)!, by, ct));
    }

    public static Command CreateApprove(CliIo io)
    {
        var incident = PendingIncident();
        var note = Note();
        return Create(io, "approve", "Approve the action an incident waits on; the guardrails are checked again before it runs.", "Who answers", [incident, note],
            (target, parse, by, ct) => target.ApproveAsync(parse.GetValue(incident)!, by, parse.GetValue(note), ct));
    }

    public static Command CreateReject(CliIo io)
    {
        var incident = PendingIncident();
        var note = Note();
        return Create(io, "reject", "Reject the action an incident waits on; it escalates with approval_rejected.", "Who answers", [incident, note],
            (target, parse, by, ct) => target.RejectAsync(parse.GetValue(incident)!, by, parse.GetValue(note), ct));
    }

    public static Command CreateResolve(CliIo io)
    {
        var incident = new Argument<string>("incident") { Description = "The incident to close." };
        var note = Note();
        return Create(io, "resolve", "Close an incident by hand (fixed by a human, or a source that never reports resolved).", "Who resolves it", [incident, note],
            (target, parse, by, ct) => target.ResolveAsync(parse.GetValue(incident)!, by, parse.GetValue(note), ct));
    }

    public static Command CreateLabel(CliIo io)
    {
        var incident = new Argument<string>("incident") { Description = "The incident whose true class you know." };
        var failureClass = new Argument<string>("class") { Description = "Its class: one of the catalog's classes, or unknown." };
        return Create(io, "label", "Record an incident's true class, for homeostat train --from-audit.", "Who labels it", [incident, failureClass],
            (target, parse, by, ct) => target.LabelAsync(parse.GetValue(incident)!, parse.GetValue(failureClass)!, by, ct));
    }

    private static Argument<string> PendingIncident() => new("incident") { Description = "The incident in pending_approval." };

    private static Option<string?> Note() => new("--note") { Description = "Why, for the audit trail." };

    /// <summary>One command: its own arguments, then <c>--by</c> and where it is carried out; the answer is printed alike for all.</summary>
    private static Command Create(CliIo io, string name, string description, string who, Symbol[] symbols, Act act)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument)
            {
                command.Arguments.Add(argument);
            }
            else
            {
                command.Options.Add((Option)symbol);
            }
        }

        var by = new Option<string>("--by") { Description = $"{who}, for the audit trail (default: your user name).", DefaultValueFactory = _ => Environment.UserName };
        command.Options.Add(by);
        var where = new OperatorTargetOptions();
        where.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var target = where.Open(parse, errors);
            if (target is null)
            {
                foreach (var error in errors)
                {
                    await io.Error.WriteLineAsync($"homeostat: {error}");
                }

                return HomeostatCli.UsageError;
            }

            await using (target)
            {
                try
                {
                    var result = await act(target, parse, parse.GetValue(by)!, cancellationToken);
                    await (result.Changed ? io.Out : io.Error).WriteLineAsync(TerminalText.Escape(result.Detail));
                    return result.Changed ? HomeostatCli.Success : HomeostatCli.Failure;
                }
                catch (ServiceCallException exception)
                {
                    await io.Error.WriteLineAsync($"homeostat: {exception.Message}");
                    return HomeostatCli.Failure;
                }
            }
        });
        return command;
    }
}

using System.CommandLine;
using Homeostat.Cli.Client;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Cli.Commands;

/// <summary>
/// Where an operator command is carried out: the running service's API (<see cref="HomeostatApiClient"/>), or, offline,
/// the store on this machine (<see cref="StoreOperatorTarget"/>). Both answer with the engine's sentences.
/// </summary>
internal interface IOperatorTarget : IAsyncDisposable
{
    Task<OperatorResult> ApproveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken);

    Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken);

    Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken);

    Task<OperatorResult> LabelAsync(string incidentId, string failureClass, string by, CancellationToken cancellationToken);

    Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken);

    Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken);
}

/// <summary>The engine's <see cref="OperatorCommands"/> over the store opened directly, for offline use.</summary>
internal sealed class StoreOperatorTarget(ServiceProvider services) : IOperatorTarget
{
    private readonly OperatorCommands _commands = services.GetRequiredService<OperatorCommands>();

    public Task<OperatorResult> ApproveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) =>
        _commands.ApproveAsync(incidentId, new OperatorCall(by) { Note = note }, cancellationToken);

    public Task<OperatorResult> RejectAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) => _commands.RejectAsync(incidentId, by, note, cancellationToken);

    public Task<OperatorResult> ResolveAsync(string incidentId, string by, string? note, CancellationToken cancellationToken) => _commands.ResolveAsync(incidentId, by, note, cancellationToken);

    public Task<OperatorResult> LabelAsync(string incidentId, string failureClass, string by, CancellationToken cancellationToken) => _commands.LabelAsync(incidentId, failureClass, by, cancellationToken);

    public Task<OperatorResult> ResumeAsync(string service, string failureClass, string by, CancellationToken cancellationToken) => _commands.ResumeAsync(service, failureClass, by, cancellationToken);

    public Task<OperatorResult> PromoteAsync(string failureClass, string by, CancellationToken cancellationToken) => _commands.PromoteAsync(failureClass, by, cancellationToken);

    public ValueTask DisposeAsync() => services.DisposeAsync();
}

/// <summary>The options every operator command shares: which store, or which service and token.</summary>
internal sealed class OperatorTargetOptions
{
    private readonly Option<string?> _config = CommonOptions.Config();

    private readonly Option<string?> _data = CommonOptions.Data();

    private readonly Option<string?> _server = new("--server")
    {
        Description = "Call the running service's API at this URL instead of opening a store here (default: the config's server.url).",
    };

    private readonly Option<string?> _tokenFile = new("--token-file")
    {
        Description = $"A file holding the service's API token (default: the config's server.api_token_file, else the {ServerOptions.DefaultApiTokenEnv} environment variable).",
    };

    private readonly Option<Duration> _timeout = new("--timeout")
    {
        Description = "How long to wait for the service's answer, such as 30s.",
        DefaultValueFactory = _ => Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Duration.TryParse(text, out var duration))
            {
                return duration;
            }

            result.AddError($"--timeout '{text}' is not a duration such as 30s");
            return default;
        },
    };

    /// <summary>Accepted only to be refused: a token on the command line stays in the shell history and shows in ps.</summary>
    private readonly Option<string?> _token = new("--token") { Hidden = true };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _config, _data, _server, _tokenFile, _timeout, _token })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The service's API when a server URL is given or configured, else the store; null with the reasons when neither can be used.</summary>
    public IOperatorTarget? Open(ParseResult parse, List<string> errors)
    {
        if (parse.GetResult(_token) is not null)
        {
            errors.Add($"the API token is never taken on the command line (it would stay in the shell history and show in ps); use --token-file F or the {ServerOptions.DefaultApiTokenEnv} environment variable");
            return null;
        }

        var connection = ServerConnection.Resolve(parse.GetValue(_server), parse.GetValue(_config), parse.GetValue(_tokenFile), parse.GetValue(_timeout).Value, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        return connection is null
            ? new StoreOperatorTarget(OfflineServices.Build(parse.GetValue(_config), parse.GetValue(_data)))
            : new HomeostatApiClient(connection);
    }
}

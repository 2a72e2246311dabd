using System.Globalization;
using System.Text;
using Homeostat.Catalog;
using Homeostat.Remediation;
using Homeostat.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Homeostat.Postgres.Actions;

/// <summary>The parameter schemas of the PostgreSQL actions.</summary>
public static class PostgresActions
{
    /// <summary>A PostgreSQL identifier as written without quotes.</summary>
    public const string Identifier = "[A-Za-z_][A-Za-z0-9_$]{0,62}";

    /// <summary>A configured target's name.</summary>
    public const string TargetName = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

    public static readonly ActionDescriptor TerminateIdleConnections = new(
        "terminate_idle_connections",
        "Terminate PostgreSQL client sessions idle (or idle in transaction) longer than a threshold, oldest first, at most max_per_run; " +
        "never superusers, replication connections or Homeostat's own sessions.",
        [
            new ParameterSpec("idle_seconds", ParameterKind.Integer, "terminate only sessions idle for longer than this many seconds") { Default = 300L, Minimum = 10 },
            new ParameterSpec("include_idle_in_transaction", ParameterKind.Boolean, "also terminate sessions idle inside an open transaction") { Default = true },
            new ParameterSpec("max_per_run", ParameterKind.Integer, "the most sessions one run terminates") { Default = 20L, Minimum = 1, Maximum = 500 },
            new ParameterSpec("database", ParameterKind.String, "only sessions connected to this database") { Pattern = Identifier },
            new ParameterSpec("target", ParameterKind.String, "the configured target to act on; otherwise the signal's instance, database or db label must name one") { Pattern = TargetName },
            new ParameterSpec("min_usage", ParameterKind.Number, "act only when client connections fill at least this fraction of the slots ordinary roles may use, or of the database's own connection limit") { Default = DefaultMinUsage, Minimum = 0, Maximum = 1 },
        ])
    {
        Premise = PremiseDescriptor.Observes(
            "the server's client connections are at least min_usage of the slots ordinary roles may use (max_connections less the reserved ones), " +
            "or, with database set, that database's connections are at least min_usage of its own CONNECTION LIMIT"),
    };

    /// <summary>The share of the connection slots in use from which idle sessions are worth terminating.</summary>
    public const double DefaultMinUsage = 0.8;
}

/// <summary>
/// Terminates PostgreSQL client sessions that have sat idle (or idle in transaction) too long, oldest first. The server
/// comes from a configured, named target; a signal can only choose among those names. Superusers, replication and other
/// non-client backends, Homeostat's own sessions and, when <c>database</c> is set, other databases' sessions are never
/// touched. Every value reaches the server as a parameter; nothing from a signal is ever part of the SQL text.
/// Premise, checked in the preview and again just before terminating: the connections are near their limit
/// (<see cref="ConnectionUsage"/> at or above <c>min_usage</c>); below it nothing is terminated (premise_not_met). A signal
/// that names no configured target, or a <c>database</c> the server does not have, is not applicable.
/// </summary>
public sealed partial class TerminateIdleConnectionsAction(IOptionsMonitor<PostgresActionOptions> options, ILogger<TerminateIdleConnectionsAction>? logger = null)
    : IRemediationAction
{
    private static readonly string[] TargetLabels = ["instance", "database", "db"];

    private const int MaxTerminateWaitMilliseconds = 5000;

    // $1 own application name, $2 include idle in transaction, $3 idle seconds, $4 database or null.
    private const string Eligible = """
        a.backend_type = 'client backend'
          AND a.pid <> pg_catalog.pg_backend_pid()
          AND NOT r.rolsuper
          AND a.application_name IS DISTINCT FROM $1
          AND (a.state = 'idle' OR ($2 AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')))
          AND a.state_change < pg_catalog.clock_timestamp() - pg_catalog.make_interval(secs => $3)
          AND ($4::text IS NULL OR a.datname = $4::text)
        """;

    // $5 limit.
    private const string FindSql = $"""
        SELECT a.pid, a.usename, a.application_name, a.datname, a.state, a.state_change,
               pg_catalog.floor(extract(epoch FROM pg_catalog.clock_timestamp() - a.state_change))::bigint AS idle_seconds,
               count(*) OVER () AS eligible
          FROM pg_catalog.pg_stat_activity a
          JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
         WHERE {Eligible}
         ORDER BY a.state_change, a.pid
         LIMIT $5
        """;

    // $5 pid, $6 the state_change seen when planning (the session has done nothing since), $7 milliseconds to wait for it to exit.
    private const string TerminateSql = $"""
        SELECT pg_catalog.pg_terminate_backend(a.pid, $7)
          FROM pg_catalog.pg_stat_activity a
          JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
         WHERE {Eligible}
           AND a.pid = $5
           AND a.state_change = $6
        """;

    private readonly ILogger _logger = logger ?? NullLogger<TerminateIdleConnectionsAction>.Instance;

    public ActionDescriptor Descriptor => PostgresActions.TerminateIdleConnections;

    public async Task<ActionPreview> PreviewAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryResolve(request, out var run, out var problem, out var notApplicable))
        {
            return notApplicable ? ActionPreview.NotApplicable(problem) : ActionPreview.Refused(problem);
        }

        try
        {
            await using var connection = PostgresConnections.Create(run.Connection, run.TimeoutSeconds);
            await connection.OpenAsync(cancellationToken);
            var premise = await CheckPremiseAsync(connection, run, cancellationToken);
            if (premise.Verdict != PremiseVerdict.Holds)
            {
                return premise.Verdict == PremiseVerdict.NotMet ? ActionPreview.PremiseNotMet(premise.Observed) : ActionPreview.NotApplicable(premise.Observed);
            }

            var (sessions, eligible) = await FindAsync(connection, run, cancellationToken);
            if (sessions.Count == 0)
            {
                return new ActionPreview(true, $"nothing to terminate on target {run.Target}: no client session {run.Criteria()}", []) { Premise = premise };
            }

            return new ActionPreview(
                true,
                $"would terminate {sessions.Count} session(s) on target {run.Target}, {run.Criteria()}{Remaining(sessions.Count, eligible, run)}",
                sessions.Select(s => "terminate " + s.Describe()).ToList()) { Premise = premise };
        }
        catch (OperationCanceledException)
        {
            return ActionPreview.Refused($"cannot preview on target {run.Target}: stopped by the time limit");
        }
        catch (Exception exception)
        {
            var reason = PostgresConnections.Describe(exception, run.Connection);
            Log.Failed(_logger, run.Target, reason);
            return ActionPreview.Refused($"cannot preview on target {run.Target}: {reason}");
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRequest request, CancellationToken cancellationToken)
    {
        if (!TryResolve(request, out var run, out var problem, out var notApplicable))
        {
            return notApplicable ? ActionOutcome.NotApplicable(problem) : ActionOutcome.Failed(problem);
        }

        var done = new List<string>();
        var planned = 0;
        try
        {
            await using var connection = PostgresConnections.Create(run.Connection, run.TimeoutSeconds);
            await connection.OpenAsync(cancellationToken);
            var premise = await CheckPremiseAsync(connection, run, cancellationToken);
            if (premise.Verdict != PremiseVerdict.Holds)
            {
                return premise.Verdict == PremiseVerdict.NotMet ? ActionOutcome.PremiseNotMet(premise.Observed) : ActionOutcome.NotApplicable(premise.Observed);
            }

            var (sessions, eligible) = await FindAsync(connection, run, cancellationToken);
            planned = sessions.Count;
            if (sessions.Count == 0)
            {
                return new ActionOutcome(ActionStatus.NoChange, $"nothing to terminate on target {run.Target}: no client session {run.Criteria()}", []) { Premise = premise };
            }

            var lingering = 0;
            foreach (var session in sessions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (await TerminateAsync(connection, run, session, cancellationToken))
                {
                    case true:
                        done.Add("terminated " + session.Describe());
                        break;
                    case false:
                        // Signalled, but it had not exited when the wait ended; it will, and the next run will not see it idle.
                        lingering++;
                        done.Add($"signalled {session.Describe()}; it had not exited after {run.TerminateWaitMilliseconds} ms");
                        break;
                    case null:
                        // Busy again, or gone, since the plan was made: it is left alone.
                        break;
                }
            }

            if (done.Count == 0)
            {
                return new ActionOutcome(
                    ActionStatus.NoChange,
                    $"nothing terminated on target {run.Target}: the {sessions.Count} idle session(s) found became busy or ended before they could be terminated",
                    []) { Premise = premise };
            }

            Log.Terminated(_logger, done.Count, run.Target);
            var skipped = sessions.Count - done.Count;
            var summary = new StringBuilder($"terminated {done.Count} session(s) on target {run.Target}, {run.Criteria()}");
            if (lingering > 0)
            {
                summary.Append(CultureInfo.InvariantCulture, $" ({lingering} signalled but still exiting)");
            }

            if (skipped > 0)
            {
                summary.Append(CultureInfo.InvariantCulture, $"; {skipped} became busy or ended first and were left alone");
            }

            summary.Append(Remaining(sessions.Count, eligible, run));
            return new ActionOutcome(ActionStatus.Succeeded, summary.ToString(), done) { Premise = premise };
        }
        catch (OperationCanceledException)
        {
            return new ActionOutcome(ActionStatus.Failed, $"stopped by the time limit on target {run.Target} after terminating {done.Count} of {planned} session(s)", done);
        }
        catch (Exception exception)
        {
            var reason = PostgresConnections.Describe(exception, run.Connection);
            Log.Failed(_logger, run.Target, reason);
            return new ActionOutcome(ActionStatus.Failed, $"failed on target {run.Target} after terminating {done.Count} of {planned} session(s): {reason}", done);
        }
    }

    /// <summary>Whether the connections are near their limit: the server's slots, or the named database's own limit.</summary>
    private static async Task<PremiseObservation> CheckPremiseAsync(NpgsqlConnection connection, Run run, CancellationToken cancellationToken)
    {
        var usage = await ConnectionUsage.ReadAsync(connection, run.Database, cancellationToken);
        if (usage.Database is { Exists: false } missing)
        {
            return new(PremiseVerdict.NotApplicable, $"database {missing.Name} does not exist on target {run.Target}");
        }

        var threshold = string.Create(CultureInfo.InvariantCulture, $"min_usage {100 * run.MinUsage:0.#}%");
        var observed = $"target {run.Target}: {usage.DescribeServer()}{(usage.Database is { } database ? "; " + database.Describe() : "")}";
        var near = usage.Ratio >= run.MinUsage || usage.Database?.Ratio >= run.MinUsage;
        return near
            ? new(PremiseVerdict.Holds, $"{observed}; at or above {threshold}")
            : new(PremiseVerdict.NotMet, $"{observed}; below {threshold}");
    }

    private static string Remaining(int planned, long eligible, Run run) =>
        eligible > planned ? $"; {eligible - planned} more left for a later run (max_per_run {run.MaxPerRun})" : "";

    private static async Task<(List<Session> Sessions, long Eligible)> FindAsync(NpgsqlConnection connection, Run run, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FindSql, connection);
        AddCriteria(command, run);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = run.MaxPerRun, NpgsqlDbType = NpgsqlDbType.Integer });
        var sessions = new List<Session>();
        long eligible = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(new Session(
                reader.GetInt32(0),
                reader.IsDBNull(1) ? "" : reader.GetString(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? "" : reader.GetString(3),
                reader.GetString(4),
                reader.GetFieldValue<DateTime>(5),
                reader.GetInt64(6)));
            eligible = reader.GetInt64(7);
        }

        return (sessions, eligible);
    }

    /// <summary>True when terminated, false when signalled but still exiting, null when it no longer qualifies.</summary>
    private static async Task<bool?> TerminateAsync(NpgsqlConnection connection, Run run, Session session, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(TerminateSql, connection);
        AddCriteria(command, run);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = session.Pid, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = session.StateChange, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = run.TerminateWaitMilliseconds, NpgsqlDbType = NpgsqlDbType.Bigint });
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is bool terminated ? terminated : null;
    }

    private static void AddCriteria(NpgsqlCommand command, Run run)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PostgresConnections.ApplicationName, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = run.IncludeIdleInTransaction, NpgsqlDbType = NpgsqlDbType.Boolean });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = run.IdleSeconds, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)run.Database ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
    }

    /// <summary>
    /// The run the request asks for. A problem with the catalog or the configuration fails the action; a signal that names
    /// no configured target (<paramref name="notApplicable"/>) is not something this action may touch.
    /// </summary>
    private bool TryResolve(ActionRequest request, out Run run, out string problem, out bool notApplicable)
    {
        run = null!;
        notApplicable = false;
        var current = options.CurrentValue;
        var targets = current.Targets ?? [];
        var parameters = request.Parameters;
        string target;
        var configured = parameters.String("target");
        if (configured is not null)
        {
            if (!targets.ContainsKey(configured))
            {
                problem = $"refused: the catalog's target {Quote(configured)} is not a configured target ({Known(targets)})";
                return false;
            }

            target = configured;
        }
        else if (!TryTargetFromSignal(request.Signal, targets, out target, out problem))
        {
            notApplicable = true;
            return false;
        }

        if (!PostgresConnections.TryConnectionString(targets[target], out var connection, out var connectionProblem))
        {
            problem = $"target {target}: {connectionProblem}";
            return false;
        }

        var database = parameters.String("database");
        if (database is not null && !System.Text.RegularExpressions.Regex.IsMatch(database, $"^(?:{PostgresActions.Identifier})\\z", System.Text.RegularExpressions.RegexOptions.NonBacktracking))
        {
            problem = $"refused: database {Quote(database)} is not a PostgreSQL identifier";
            return false;
        }

        run = new Run(
            target,
            connection,
            Math.Max(1, parameters.Integer("idle_seconds") ?? 300),
            parameters.Boolean("include_idle_in_transaction") ?? true,
            (int)Math.Clamp(parameters.Integer("max_per_run") ?? 20, 1, 500),
            database,
            Math.Clamp(current.TimeoutSeconds, 1, PostgresActionOptionsValidator.MaxTimeoutSeconds),
            Math.Clamp(parameters.Number("min_usage") ?? PostgresActions.DefaultMinUsage, 0, 1));
        problem = "";
        return true;
    }

    /// <summary>The signal's labels are untrusted: a value counts only when it equals a configured target's name exactly.</summary>
    private static bool TryTargetFromSignal(Signal signal, Dictionary<string, PostgresTarget> targets, out string target, out string problem)
    {
        target = "";
        problem = "";
        var seen = new List<string>();
        var named = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var label in TargetLabels)
        {
            if (signal.Label(label) is not { Length: > 0 } value)
            {
                continue;
            }

            seen.Add($"{label}={Quote(value)}");
            if (targets.ContainsKey(value))
            {
                named.Add(value);
            }
        }

        switch (named.Count)
        {
            case 1:
                target = named.Min!;
                return true;
            case 0 when seen.Count == 0:
                problem = "the catalog sets no target and the signal has no instance, database or db label naming one";
                return false;
            case 0:
                problem = $"no configured target is named by the signal's {string.Join(", ", seen)} ({Known(targets)})";
                return false;
            default:
                problem = $"the signal's labels name more than one target ({string.Join(", ", named)}); set target in the catalog";
                return false;
        }
    }

    private static string Known(Dictionary<string, PostgresTarget> targets) =>
        targets.Count == 0 ? "none are configured" : "configured: " + string.Join(", ", targets.Keys.Order(StringComparer.Ordinal));

    /// <summary>An untrusted value made safe to show in an audit record: quoted, control characters replaced, length bounded.</summary>
    internal static string Quote(string value)
    {
        const int Limit = 64;
        var text = new StringBuilder();
        foreach (var c in value.Length > Limit ? value[..Limit] : value)
        {
            text.Append(char.IsControl(c) || c == '"' ? '?' : c);
        }

        return $"\"{text}{(value.Length > Limit ? "…" : "")}\"";
    }

    private sealed record Run(
        string Target,
        NpgsqlConnectionStringBuilder Connection,
        long IdleSeconds,
        bool IncludeIdleInTransaction,
        int MaxPerRun,
        string? Database,
        int TimeoutSeconds,
        double MinUsage)
    {
        /// <summary>Long enough to see most sessions exit, short enough to stay inside the statement timeout.</summary>
        public long TerminateWaitMilliseconds => Math.Min(MaxTerminateWaitMilliseconds, TimeoutSeconds * 1000L / 2);

        public string Criteria()
        {
            var states = IncludeIdleInTransaction ? "idle or idle in transaction" : "idle (not in a transaction)";
            var database = Database is null ? "" : $" in database {Database}";
            return $"{states} for more than {IdleSeconds}s{database}";
        }
    }

    private sealed record Session(int Pid, string User, string Application, string Database, string State, DateTime StateChange, long IdleSeconds)
    {
        public string Describe() =>
            $"pid {Pid} (user {Quote(User)}, application {Quote(Application)}, database {Quote(Database)}, {State} for {IdleSeconds}s)";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "terminate_idle_connections terminated {Count} session(s) on target {Target}")]
        public static partial void Terminated(ILogger logger, int count, string target);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "terminate_idle_connections failed on target {Target}: {Reason}")]
        public static partial void Failed(ILogger logger, string target, string reason);
    }
}

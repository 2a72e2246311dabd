using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace Homeostat.Postgres.Actions;

/// <summary>Connection strings from the environment, and error text with every secret scrubbed out.</summary>
internal static partial class PostgresConnections
{
    /// <summary>The application name of Homeostat's own sessions; the actions never terminate a session that carries it.</summary>
    public const string ApplicationName = "homeostat";

    /// <summary>Reads and parses the target's connection string, or says why it cannot (without the string itself).</summary>
    public static bool TryConnectionString(PostgresTarget target, out NpgsqlConnectionStringBuilder builder, out string problem)
    {
        builder = null!;
        problem = "";
        var variable = target.ConnectionStringEnv;
        if (string.IsNullOrWhiteSpace(variable))
        {
            problem = "ConnectionStringEnv is required (the environment variable that holds the connection string)";
            return false;
        }

        if (!EnvironmentVariableName().IsMatch(variable))
        {
            problem = "ConnectionStringEnv must be an environment variable name (letters, digits and '_', not starting with a digit)";
            return false;
        }

        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = $"the environment variable {variable} is not set";
            return false;
        }

        try
        {
            builder = new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message may quote part of the string, so it is not repeated.
            problem = $"the environment variable {variable} does not hold a valid PostgreSQL connection string";
            return false;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            problem = $"the connection string in {variable} names no Host";
            return false;
        }

        return true;
    }

    /// <summary>The connection Homeostat opens: its own application name, no pooling (it runs rarely), bounded waits.</summary>
    public static NpgsqlConnection Create(NpgsqlConnectionStringBuilder configured, int timeoutSeconds)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured.ConnectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            Timeout = timeoutSeconds,
            CommandTimeout = timeoutSeconds,
            IncludeErrorDetail = false,
            LogParameters = false,
        };
        return new NpgsqlConnection(builder.ConnectionString);
    }

    /// <summary>Why an I/O step failed, in words an operator can act on, with the password and connection string removed.</summary>
    public static string Describe(Exception exception, NpgsqlConnectionStringBuilder? connection)
    {
        var text = exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } e => $"permission denied ({e.SqlState}): {e.MessageText}",
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } e =>
                $"authentication failed ({e.SqlState}): {e.MessageText}",
            PostgresException e => $"{e.SqlState}: {e.MessageText}",
            NpgsqlException { InnerException: TimeoutException } => "timed out: the server did not answer in time",
            NpgsqlException { InnerException: SocketException socket } e => $"{e.Message}: {socket.Message}",
            NpgsqlException { InnerException: { } inner } e => $"{e.Message}: {inner.Message}",
            TimeoutException => "timed out: the server did not answer in time",
            _ => exception.InnerException is { } inner ? $"{exception.Message}: {inner.Message}" : exception.Message,
        };
        return Scrub(text, connection);
    }

    /// <summary>Removes the password, the whole connection string and any <c>password=</c> pair from text meant for logs and the audit trail.</summary>
    public static string Scrub(string text, NpgsqlConnectionStringBuilder? connection)
    {
        if (connection is not null)
        {
            if (!string.IsNullOrEmpty(connection.ConnectionString))
            {
                text = text.Replace(connection.ConnectionString, "(connection string)", StringComparison.Ordinal);
            }

            if (!string.IsNullOrEmpty(connection.Password))
            {
                text = text.Replace(connection.Password, "***", StringComparison.Ordinal);
            }
        }

        return PasswordPair().Replace(text, "${key}=***");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvironmentVariableName();

    [GeneratedRegex(@"(?<key>password|pwd)\s*=\s*[^;\s]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}

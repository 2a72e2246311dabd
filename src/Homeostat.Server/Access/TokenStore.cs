using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Server.Access;

/// <summary>
/// The tokens the service accepts. Read at start-up (where a problem refuses start-up, see <see cref="ServerOptionsValidator"/>)
/// and again every <see cref="ServerOptions.TokenReloadInterval"/>, so a rotated secret file takes effect without a
/// restart. A re-read with any problem (an emptied, vanished or unreadable file) keeps the tokens in force and logs
/// the problem: a half-written secret never locks everyone out, nor lets anyone in.
/// </summary>
public sealed partial class TokenStore : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger<TokenStore> _logger;
    private readonly ITimer? _timer;
    private readonly Lock _reloading = new();
    private IReadOnlyList<ConfiguredToken> _tokens;
    private string? _lastProblems;

    public TokenStore(IOptions<ServerOptions> options, TimeProvider timeProvider, ILogger<TokenStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        var read = TokenSources.Read(_options);
        if (!read.IsValid)
        {
            // The start-up check refuses this before the service listens; failing closed here covers any other path.
            throw new InvalidOperationException(string.Join("; ", read.Problems));
        }

        _tokens = read.Tokens;
        IsConfigured = _tokens.Count > 0;
        if (_options.ApiTokenFile is { Length: > 0 } || _options.Tokens.Any(t => !string.IsNullOrWhiteSpace(t.File)))
        {
            var interval = _options.TokenReloadInterval.Value > TimeSpan.Zero ? _options.TokenReloadInterval.Value : TimeSpan.FromSeconds(30);
            _timer = timeProvider.CreateTimer(_ => Reload(), null, interval, interval);
        }
    }

    /// <summary>True when any token is configured: then every endpoint but the probes needs one.</summary>
    public bool IsConfigured { get; }

    public IReadOnlyList<ConfiguredToken> Tokens => Volatile.Read(ref _tokens);

    /// <summary>
    /// The token <paramref name="presented"/> is, or null. Every configured token is compared, each in constant time,
    /// whatever matched before: the time taken tells neither whether nor which token matched.
    /// </summary>
    public ConfiguredToken? Authenticate(string presented)
    {
        if (presented.Length is 0 or > TokenSources.MaxTokenLength)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        ConfiguredToken? found = null;
        foreach (var token in Tokens)
        {
            var equal = CryptographicOperations.FixedTimeEquals(hash, token.Hash);
            found = equal ? token : found;
        }

        return found;
    }

    /// <summary>Reads every token source again; on any problem the tokens in force stay. True when the tokens changed.</summary>
    public bool Reload()
    {
        lock (_reloading)
        {
            var read = TokenSources.Read(_options);
            if (!read.IsValid || read.Tokens.Count == 0)
            {
                var problems = read.IsValid ? "no token could be read" : string.Join("; ", read.Problems);
                if (problems != _lastProblems)
                {
                    Log.ReloadRefused(_logger, problems);
                }

                _lastProblems = problems;
                return false;
            }

            _lastProblems = null;
            var current = Tokens;
            if (read.Tokens.Count == current.Count && read.Tokens.Zip(current).All(p => p.First.Name == p.Second.Name && p.First.Role == p.Second.Role && p.First.Hash.AsSpan().SequenceEqual(p.Second.Hash)))
            {
                return false;
            }

            Volatile.Write(ref _tokens, read.Tokens);
            Log.Reloaded(_logger, read.Tokens.Count, string.Join(", ", read.Tokens.Select(t => $"{t.Name} ({t.Role.ToWord()})")));
            return true;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "API tokens not reloaded, the tokens in force stay: {Problems}")]
        public static partial void ReloadRefused(ILogger logger, string problems);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "API tokens reloaded: {Count} token(s): {Tokens}")]
        public static partial void Reloaded(ILogger logger, int count, string tokens);
    }
}

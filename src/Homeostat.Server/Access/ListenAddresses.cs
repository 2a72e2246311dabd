using System.Globalization;
using System.Net;

namespace Homeostat.Server.Access;

/// <summary>One URL of <c>server.listen</c> and whether only this machine can reach it.</summary>
public sealed record ListenAddress(string Url, string Host, bool IsLocalOnly);

/// <summary>
/// Reads <c>server.listen</c> the way Kestrel does (URLs separated by <c>;</c>) and tells, URL by URL, whether each is
/// reachable from other hosts. Kestrel binds <c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c> and every host name but
/// <c>localhost</c> to all interfaces, so only <c>localhost</c>, a loopback address and a Unix socket are local.
/// </summary>
public static class ListenAddresses
{
    public static IReadOnlyList<ListenAddress> Parse(string? listen, List<string> problems)
    {
        var addresses = new List<ListenAddress>();
        var urls = (listen ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            problems.Add("server.listen must name at least one http(s) URL such as http://127.0.0.1:8088");
            return addresses;
        }

        foreach (var url in urls)
        {
            if (TryParseOne(url, out var address, out var problem))
            {
                addresses.Add(address!);
            }
            else
            {
                problems.Add($"server.listen {problem}");
            }
        }

        return addresses;
    }

    /// <summary>The URLs of <paramref name="addresses"/> that other hosts can reach.</summary>
    public static IReadOnlyList<ListenAddress> BeyondLoopback(IEnumerable<ListenAddress> addresses) => addresses.Where(a => !a.IsLocalOnly).ToList();

    private static bool TryParseOne(string url, out ListenAddress? address, out string? problem)
    {
        address = null;
        problem = $"'{url}' must be an http(s) URL such as http://127.0.0.1:8088";
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0 || url[..separator].ToLowerInvariant() is not ("http" or "https"))
        {
            return false;
        }

        var rest = url[(separator + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(url, "unix socket", IsLocalOnly: true);
            return true;
        }

        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        if (slash >= 0 && rest[slash..] != "/")
        {
            problem = $"'{url}' has a path; Kestrel listens on an address and port only";
            return false;
        }

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            problem = "must not carry credentials (the value is not shown: it contains '@')";
            return false;
        }

        string host;
        string? port;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
            {
                return false;
            }

            port = after.Length > 0 ? after[1..] : null;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0 || (port is not null && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 65535)))
        {
            return false;
        }

        address = new ListenAddress(url, host, IsLoopback(host));
        return true;
    }

    private static bool IsLoopback(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var ip) && IPAddress.IsLoopback(ip) && (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || literal.Count(c => c == '.') == 3);
    }
}

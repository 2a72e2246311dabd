using System.Net.Http.Headers;

namespace Homeostat.Primitives;

/// <summary>
/// A bearer token kept in a file (a mounted secret), read on every request so a rotated token is picked up. The token
/// never appears in errors; only the setting and the file do.
/// </summary>
public static class BearerTokenFile
{
    /// <returns>Why the token could not be added, or null when it was (or no file is configured).</returns>
    public static async Task<string?> ApplyAsync(HttpRequestMessage request, string? file, string setting, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        try
        {
            var token = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
            if (token.Length == 0 || token.Any(char.IsControl))
            {
                return $"{setting} '{file}' does not hold a token on one line";
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"cannot read {setting} '{file}': {exception.Message}";
        }
    }
}

using System.Text.RegularExpressions;
using Homeostat.Catalog;
using Microsoft.Extensions.Configuration;

namespace Homeostat.Configuration;

/// <summary>
/// Turns a configuration key (<c>Guardrails:RateLimit:Per</c>, <c>guardrails.rate_limit.per</c>, <c>probes[0]</c>) into
/// where it was written: the file, line and column of the YAML file that holds it, or the environment variable or flag
/// that set it. Failures whose text starts with a key are located by that key; the rest by their section.
/// </summary>
public sealed partial class ConfigLocator
{
    private readonly IReadOnlyList<IConfigurationProvider> _providers;
    private readonly IReadOnlyList<ConfigSection> _sections;
    private readonly IConfiguration _configuration;

    public ConfigLocator(IConfiguration configuration, IReadOnlyList<ConfigSection> sections)
    {
        _configuration = configuration;
        _providers = (configuration as IConfigurationRoot)?.Providers.ToList() ?? [];
        _sections = sections;
    }

    /// <summary>The YAML files the configuration reads.</summary>
    public IEnumerable<string> Files => _providers.OfType<YamlConfigurationProvider>().Select(p => p.Path);

    /// <summary>One options validation failure, located by the key it starts with, else by its section.</summary>
    public CatalogError Failure(string failure, Type? optionsType, string? section)
    {
        section ??= _sections.FirstOrDefault(s => s.Options == optionsType)?.Key ?? "config";
        if (DataAnnotationFailure().Match(failure) is { Success: true } annotation)
        {
            return At($"{section}:{annotation.Groups["member"].Value}", annotation.Groups["error"].Value, quoteValue: true);
        }

        var leading = LeadingKey().Match(failure);
        if (!leading.Success || !IsSection(Segments(leading.Groups["key"].Value).FirstOrDefault()))
        {
            return At(section, failure, quoteValue: false);
        }

        var rest = leading.Groups["rest"].Value.TrimStart();
        var label = string.Empty;
        if (rest.StartsWith('(') && rest.IndexOf("):", StringComparison.Ordinal) is var close and > 0)
        {
            // probes[0] (inodes): path is required — the entry's name stays beside its key.
            label = " " + rest[..(close + 1)];
            rest = rest[(close + 2)..].TrimStart();
        }
        else if (rest.StartsWith(':'))
        {
            rest = rest[1..].TrimStart();
        }

        var error = At(leading.Groups["key"].Value, rest, quoteValue: false);
        return error with { Key = error.Key + label };
    }

    /// <summary>A message about <paramref name="key"/>, at the place that set it (or its nearest written parent).</summary>
    public CatalogError At(string key, string message, bool quoteValue)
    {
        var segments = Segments(key);
        var configKey = string.Join(':', segments.Select(s => int.TryParse(s, out _) ? s : YamlConfigurationProvider.ToPascal(s)));
        var dotted = Dotted(segments);
        var value = quoteValue && _configuration[configKey] is { } written ? $"'{written}'" : null;
        foreach (var provider in _providers.Reverse())
        {
            if (!provider.TryGet(configKey, out _))
            {
                continue;
            }

            switch (provider)
            {
                case YamlConfigurationProvider yaml when yaml.Locations.TryGetValue(configKey, out var at):
                    return new CatalogError(yaml.Path, at.Line, at.Column, dotted, message, value);
                case { } environment when environment.GetType().Name == "EnvironmentVariablesConfigurationProvider":
                    return new CatalogError($"environment variable HOMEOSTAT__{configKey.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}", 0, 0, dotted, message, value);
                default:
                    return new CatalogError("command line", 0, 0, dotted, message, value);
            }
        }

        // Not set at all (a required key left out): point at the nearest parent written in a file.
        foreach (var yaml in _providers.OfType<YamlConfigurationProvider>().Reverse())
        {
            for (var parent = configKey; parent.Length > 0; parent = parent.Contains(':', StringComparison.Ordinal) ? parent[..parent.LastIndexOf(':')] : string.Empty)
            {
                if (yaml.Locations.TryGetValue(parent, out var at))
                {
                    return new CatalogError(yaml.Path, at.Line, at.Column, dotted, message, value);
                }
            }
        }

        return new CatalogError(Files.LastOrDefault() ?? "homeostat", 0, 0, dotted, message, value);
    }

    /// <summary>The key as written in YAML: <c>guardrails.rate_limit.per</c>, <c>probes[0].path</c>.</summary>
    public static string Dotted(IEnumerable<string> segments)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            if (int.TryParse(segment, out _))
            {
                text.Append('[').Append(segment).Append(']');
                continue;
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(ConfigValidator.SnakeCase(segment));
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Segments(string key) =>
        key.Split([':', '.', '[', ']'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private bool IsSection(string? name) =>
        name is not null && _sections.Any(s => string.Equals(s.Key.Split(':')[0], YamlConfigurationProvider.ToPascal(name), StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"members: '(?<member>[^']*)' with the error: '(?<error>.*)'\.?\z", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*|[.:]\d+|\[\d+\])*)(?<rest>.*)\z", RegexOptions.Singleline)]
    private static partial Regex LeadingKey();
}

using System.Globalization;
using System.Text.RegularExpressions;
using Homeostat.Primitives;
using Homeostat.Remediation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Catalog;

/// <summary>
/// Loads a remediation catalog and checks it against the registered actions. Every problem is collected,
/// each with file, line, column, key and value; a catalog with any problem is not used.
/// </summary>
public sealed partial class CatalogLoader(IActionRegistry actions)
{
    public const string BuiltInSource = "built-in:catalog.yaml";

    private static readonly string[] TopLevelKeys = ["remediations", "version", "description", "classes", "class_label", CatalogTargets.Key];

    private static readonly string[] RemediationKeys =
    [
        "action", "confidence_floor", "auto", "params", "dry_run", "verify", "rate_limit", "shadow_period", "risk", "approval", "description", "match",
    ];

    private static readonly string[] VerifyKeys = ["after", "timeout", "interval"];
    private static readonly string[] RateLimitKeys = ["max", "per"];

    public CatalogLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new CatalogLoadResult(null, [new CatalogError(path, 0, 0, "file", $"cannot be read: {exception.Message}")]);
        }

        return Load(text, path);
    }

    public CatalogLoadResult LoadBuiltIn()
    {
        using var stream = typeof(CatalogLoader).Assembly.GetManifestResourceStream("Homeostat.catalog.yaml")
            ?? throw new InvalidOperationException("the built-in catalog is missing from the assembly");
        using var reader = new StreamReader(stream);
        return Load(reader.ReadToEnd(), BuiltInSource);
    }

    public CatalogLoadResult Load(string yaml, string source)
    {
        if (YamlNesting.TooDeep(yaml) is { } deep)
        {
            return new CatalogLoadResult(null, [new CatalogError(source, (int)deep.Line, (int)deep.Column, "yaml", $"nests lists and mappings deeper than {YamlNesting.MaxDepth} levels")]);
        }

        var errors = new List<CatalogError>();
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException exception)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            return new CatalogLoadResult(null, [new CatalogError(source, (int)exception.Start.Line, (int)exception.Start.Column, "yaml", $"is not valid YAML: {TrimMark(reason)}")]);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, without a location, on some broken input such as an unclosed '[' or a line of NUL
            // characters inside a mapping; report where parsing stopped.
            var mark = parser.Current?.Start ?? Mark.Empty;
            return new CatalogLoadResult(null, [new CatalogError(source, (int)mark.Line, (int)mark.Column, "yaml", "is not valid YAML: the text cannot be parsed past the construct that starts here (an unclosed bracket or quote?)")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new CatalogLoadResult(null, [new CatalogError(source, 1, 1, "remediations", "the catalog must be a mapping with a 'remediations:' key")]);
        }

        string? version = null;
        var targets = CatalogTargets.None;
        YamlMappingNode? remediationsNode = null;
        YamlNode? classesNode = null;
        YamlNode? classLabelNode = null;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = Scalar(keyNode) ?? string.Empty;
            switch (key)
            {
                case "remediations" when valueNode is YamlMappingNode mapping:
                    remediationsNode = mapping;
                    break;
                case "remediations":
                    errors.Add(Error(source, valueNode, "remediations", "must be a mapping of failure class to remediation"));
                    break;
                case "version":
                    version = Scalar(valueNode);
                    break;
                case "description":
                    break;
                case "classes":
                    classesNode = valueNode;
                    break;
                case "class_label":
                    classLabelNode = valueNode;
                    break;
                case CatalogTargets.Key:
                    targets = CatalogTargets.Load(source, valueNode, errors);
                    break;
                default:
                    errors.Add(Error(source, keyNode, key, "unknown top-level key" + DidYouMean(key, TopLevelKeys)));
                    break;
            }
        }

        if (remediationsNode is null && errors.Count == 0)
        {
            errors.Add(new CatalogError(source, 1, 1, "remediations", "is missing; the catalog must have a 'remediations:' mapping"));
        }

        var remediations = new Dictionary<string, RemediationSpec>(StringComparer.Ordinal);
        var warnings = new List<CatalogError>();
        if (remediationsNode is not null)
        {
            foreach (var (keyNode, valueNode) in remediationsNode.Children)
            {
                var failureClass = Scalar(keyNode) ?? string.Empty;
                if (!ClassNamePattern().IsMatch(failureClass) || failureClass == "unknown")
                {
                    var why = failureClass == "unknown"
                        ? "'unknown' always goes to a human and cannot have a remediation"
                        : "is not a valid class name (lower case letters, digits and underscores, starting with a letter, at most 63 characters)";
                    errors.Add(Error(source, keyNode, $"remediations.{failureClass}", why, failureClass));
                    continue;
                }

                var spec = LoadRemediation(source, failureClass, keyNode, valueNode, errors, warnings);
                if (spec is not null)
                {
                    remediations[failureClass] = spec;
                }
            }
        }

        var declarations = LoadDeclarations(source, classesNode, classLabelNode, remediationsNode, errors);
        if (errors.Count > 0)
        {
            return new CatalogLoadResult(null, errors);
        }

        foreach (var failureClass in remediations.Keys.ToList())
        {
            remediations[failureClass] = remediations[failureClass] with { DeclaredMatch = declarations.Fingerprint(failureClass) };
        }

        var contentHash = Hashing.Sha256Hex(yaml)[..12];
        var catalogVersion = version is null ? $"sha256:{contentHash}" : $"{version} (sha256:{contentHash})";
        return new CatalogLoadResult(new RemediationCatalog(source, catalogVersion, remediations) { Declarations = declarations, Targets = targets }, errors) { Warnings = warnings };
    }

    private RemediationSpec? LoadRemediation(string source, string failureClass, YamlNode keyNode, YamlNode valueNode, List<CatalogError> errors, List<CatalogError> warnings)
    {
        var path = $"remediations.{failureClass}";
        if (valueNode is not YamlMappingNode mapping)
        {
            errors.Add(Error(source, valueNode, path, "must be a mapping with at least 'action' and 'confidence_floor'"));
            return null;
        }

        var before = errors.Count;
        var entries = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (childKey, childValue) in mapping.Children)
        {
            if (Scalar(childKey) is not { } name)
            {
                errors.Add(Error(source, childKey, $"{path}.?", "keys must be plain names, not lists or mappings"));
                continue;
            }

            if (!entries.TryAdd(name, (childKey, childValue)))
            {
                errors.Add(Error(source, childKey, $"{path}.{name}", "is given twice"));
            }
        }


        ActionDescriptor? descriptor = null;
        string? actionName = null;
        if (!entries.TryGetValue("action", out var actionEntry))
        {
            errors.Add(Error(source, keyNode, $"{path}.action", "is required: name the action that remediates this class"));
        }
        else
        {
            actionName = Scalar(actionEntry.Value);
            descriptor = actionName is null ? null : actions.Find(actionName)?.Descriptor;
            if (descriptor is null)
            {
                var known = actions.Descriptors.Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
                errors.Add(Error(source, actionEntry.Value, $"{path}.action",
                    "no registered action implements this" + DidYouMean(actionName ?? string.Empty, known) + "; known actions: " + string.Join(", ", known),
                    actionName));
            }
            else if (descriptor.UnavailableReason is { } unavailable)
            {
                // Known to this build but not runnable here: the catalog is valid, and run refuses it until the module is on.
                warnings.Add(Error(source, actionEntry.Value, $"{path}.action", unavailable, actionName));
            }
        }

        double floor = 1.0;
        if (!entries.TryGetValue("confidence_floor", out var floorEntry))
        {
            errors.Add(Error(source, keyNode, $"{path}.confidence_floor", "is required: the lowest classifier confidence at which this may act, in [0, 1]"));
        }
        else if (!double.TryParse(Scalar(floorEntry.Value), NumberStyles.Float, CultureInfo.InvariantCulture, out floor) || floor is < 0 or > 1 || double.IsNaN(floor))
        {
            errors.Add(Error(source, floorEntry.Value, $"{path}.confidence_floor", "must be a number between 0 and 1", Scalar(floorEntry.Value)));
        }

        var auto = Boolean(source, entries, "auto", path, errors) ?? false;
        var dryRun = Boolean(source, entries, "dry_run", path, errors);
        var verify = LoadVerify(source, entries, path, errors);
        var rateLimit = LoadRateLimit(source, entries, path, errors);
        var shadow = DurationValue(source, entries, "shadow_period", path, errors);
        var risk = RiskLevel.Medium;
        if (entries.TryGetValue("risk", out var riskEntry))
        {
            var riskText = Scalar(riskEntry.Value);
            switch (riskText)
            {
                case "low": risk = RiskLevel.Low; break;
                case "medium": risk = RiskLevel.Medium; break;
                case "high": risk = RiskLevel.High; break;
                default: errors.Add(Error(source, riskEntry.Value, $"{path}.risk", "must be low, medium or high", riskText)); break;
            }
        }

        var requiresApproval = false;
        if (entries.TryGetValue("approval", out var approvalEntry))
        {
            var approvalText = Scalar(approvalEntry.Value);
            switch (approvalText)
            {
                case "required" or "true": requiresApproval = true; break;
                case "none" or "false": break;
                default: errors.Add(Error(source, approvalEntry.Value, $"{path}.approval", "must be 'required' or 'none'", approvalText)); break;
            }
        }

        var description = entries.TryGetValue("description", out var descriptionEntry) ? Scalar(descriptionEntry.Value) : null;

        var parameters = descriptor is null
            ? ActionParameters.Empty
            : LoadParameters(source, path, keyNode, entries, descriptor, errors);

        if (descriptor is null)
        {
            // Without a known action, parameter keys cannot be told from typos; report only the keys that are surely wrong.
            foreach (var (name, entry) in entries)
            {
                if (!RemediationKeys.Contains(name) && actionName is null)
                {
                    errors.Add(Error(source, entry.Key, $"{path}.{name}", "unknown key" + DidYouMean(name, RemediationKeys)));
                }
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new RemediationSpec
        {
            Class = failureClass,
            Action = actionName!,
            ConfidenceFloor = floor,
            Auto = auto,
            DryRun = dryRun,
            Parameters = parameters,
            Verify = verify,
            RateLimit = rateLimit,
            ShadowPeriod = shadow,
            Risk = risk,
            RequiresApproval = requiresApproval,
            Description = description,
            Location = new SourceLocation(source, (int)keyNode.Start.Line, (int)keyNode.Start.Column),
        };
    }

    private static ActionParameters LoadParameters(
        string source, string path, YamlNode classKey, Dictionary<string, (YamlNode Key, YamlNode Value)> entries, ActionDescriptor descriptor, List<CatalogError> errors)
    {
        var raw = new Dictionary<string, (YamlNode Key, YamlNode Value, string Path)>(StringComparer.Ordinal);
        var known = descriptor.Parameters.Select(p => p.Name).ToList();
        foreach (var (name, entry) in entries)
        {
            if (RemediationKeys.Contains(name))
            {
                continue;
            }

            if (descriptor.Parameter(name) is null)
            {
                errors.Add(Error(source, entry.Key, $"{path}.{name}",
                    $"unknown key: not a remediation setting and not a parameter of action '{descriptor.Name}'" + DidYouMean(name, known.Concat(RemediationKeys))
                    + (known.Count > 0 ? $"; its parameters: {string.Join(", ", known)}" : "; it takes no parameters"),
                    Scalar(entry.Value)));
                continue;
            }

            raw[name] = (entry.Key, entry.Value, $"{path}.{name}");
        }

        if (entries.TryGetValue("params", out var paramsEntry))
        {
            if (paramsEntry.Value is not YamlMappingNode paramsMapping)
            {
                errors.Add(Error(source, paramsEntry.Value, $"{path}.params", "must be a mapping of parameter names to values"));
            }
            else
            {
                foreach (var (keyNode, valueNode) in paramsMapping.Children)
                {
                    var name = Scalar(keyNode) ?? string.Empty;
                    if (descriptor.Parameter(name) is null)
                    {
                        errors.Add(Error(source, keyNode, $"{path}.params.{name}",
                            $"unknown parameter of action '{descriptor.Name}'" + DidYouMean(name, known)
                            + (known.Count > 0 ? $"; its parameters: {string.Join(", ", known)}" : "; it takes no parameters"),
                            Scalar(valueNode)));
                    }
                    else if (raw.ContainsKey(name))
                    {
                        errors.Add(Error(source, keyNode, $"{path}.params.{name}", "is given twice: beside the action and under params"));
                    }
                    else
                    {
                        raw[name] = (keyNode, valueNode, $"{path}.params.{name}");
                    }
                }
            }
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var spec in descriptor.Parameters)
        {
            if (!raw.TryGetValue(spec.Name, out var entry))
            {
                if (spec.Required)
                {
                    errors.Add(Error(source, classKey, $"{path}.{spec.Name}", $"is required by action '{descriptor.Name}': {spec.Description}"));
                }

                values[spec.Name] = spec.Default;
                continue;
            }

            object? rawValue = entry.Value switch
            {
                YamlScalarNode scalar => scalar.Value ?? string.Empty,
                YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode) =>
                    sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList(),
                _ => null,
            };

            if (rawValue is null)
            {
                errors.Add(Error(source, entry.Value, entry.Path, "must be a value or a list of values, not a mapping"));
                continue;
            }

            if (!spec.TryConvert(rawValue, out var converted, out var problem))
            {
                errors.Add(Error(source, entry.Value, entry.Path, problem ?? "has an unsupported shape", rawValue as string));
                continue;
            }

            values[spec.Name] = converted;
        }

        return new ActionParameters(values);
    }

    private static VerifySpec? LoadVerify(string source, Dictionary<string, (YamlNode Key, YamlNode Value)> entries, string path, List<CatalogError> errors)
    {
        if (!entries.TryGetValue("verify", out var entry))
        {
            return null;
        }

        if (entry.Value is not YamlMappingNode mapping)
        {
            errors.Add(Error(source, entry.Value, $"{path}.verify", "must be a mapping with after, timeout and optionally interval"));
            return null;
        }

        var children = SubEntries(source, mapping, $"{path}.verify", VerifyKeys, errors);
        var after = DurationValue(source, children, "after", $"{path}.verify", errors) ?? new Duration(TimeSpan.FromSeconds(30));
        var timeout = DurationValue(source, children, "timeout", $"{path}.verify", errors) ?? new Duration(TimeSpan.FromMinutes(5));
        var interval = DurationValue(source, children, "interval", $"{path}.verify", errors) ?? new Duration(TimeSpan.FromSeconds(Math.Max(1, Math.Min(after.Value.TotalSeconds, 15))));
        if (timeout.Value < after.Value)
        {
            errors.Add(Error(source, ValueNode(children, "timeout", mapping), $"{path}.verify.timeout", $"must not be shorter than verify.after ({after})", timeout.ToString()));
        }

        if (interval.Value <= TimeSpan.Zero)
        {
            errors.Add(Error(source, ValueNode(children, "interval", mapping), $"{path}.verify.interval", "must be longer than zero", interval.ToString()));
        }

        return new VerifySpec(after, timeout, interval);
    }

    private static RateLimitSpec? LoadRateLimit(string source, Dictionary<string, (YamlNode Key, YamlNode Value)> entries, string path, List<CatalogError> errors)
    {
        if (!entries.TryGetValue("rate_limit", out var entry))
        {
            return null;
        }

        if (entry.Value is not YamlMappingNode mapping)
        {
            errors.Add(Error(source, entry.Value, $"{path}.rate_limit", "must be a mapping with max and per"));
            return null;
        }

        var children = SubEntries(source, mapping, $"{path}.rate_limit", RateLimitKeys, errors);
        var max = 3;
        if (children.TryGetValue("max", out var maxEntry) && (!int.TryParse(Scalar(maxEntry.Value), NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1))
        {
            errors.Add(Error(source, maxEntry.Value, $"{path}.rate_limit.max", "must be a whole number of at least 1", Scalar(maxEntry.Value)));
        }

        var per = DurationValue(source, children, "per", $"{path}.rate_limit", errors) ?? new Duration(TimeSpan.FromHours(1));
        if (per.Value <= TimeSpan.Zero)
        {
            errors.Add(Error(source, ValueNode(children, "per", mapping), $"{path}.rate_limit.per", "must be longer than zero", per.ToString()));
        }

        return new RateLimitSpec(max, per);
    }

    private static Dictionary<string, (YamlNode Key, YamlNode Value)> SubEntries(string source, YamlMappingNode mapping, string path, string[] allowed, List<CatalogError> errors)
    {
        var result = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = Scalar(keyNode) ?? string.Empty;
            if (!allowed.Contains(name))
            {
                errors.Add(Error(source, keyNode, $"{path}.{name}", "unknown key" + DidYouMean(name, allowed) + $"; allowed: {string.Join(", ", allowed)}", Scalar(valueNode)));
                continue;
            }

            result[name] = (keyNode, valueNode);
        }

        return result;
    }

    private static bool? Boolean(string source, Dictionary<string, (YamlNode Key, YamlNode Value)> entries, string key, string path, List<CatalogError> errors)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var text = Scalar(entry.Value);
        if (text is "true" or "false")
        {
            return text == "true";
        }

        errors.Add(Error(source, entry.Value, $"{path}.{key}", "must be true or false", text));
        return null;
    }

    private static Duration? DurationValue(string source, Dictionary<string, (YamlNode Key, YamlNode Value)> entries, string key, string path, List<CatalogError> errors)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var text = Scalar(entry.Value);
        if (Duration.TryParse(text, out var duration))
        {
            return duration;
        }

        errors.Add(Error(source, entry.Value, $"{path}.{key}", "is not a duration (use forms like 30s, 5m, 1h, 14d)", text));
        return null;
    }

    private static string? Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value : null;

    private static YamlNode ValueNode(Dictionary<string, (YamlNode Key, YamlNode Value)> entries, string key, YamlNode fallback) =>
        entries.TryGetValue(key, out var entry) ? entry.Value : fallback;

    private static CatalogError Error(string source, YamlNode node, string key, string message, string? value = null) =>
        new(source, (int)node.Start.Line, (int)node.Start.Column, Named(key), message, value is null ? null : $"'{value}'");

    /// <summary>An empty key (written <c>"": x</c>) is shown as <c>''</c>, so the error still names what is wrong.</summary>
    private static string Named(string key) => key.Length == 0 || key.EndsWith('.') ? key + "''" : key;

    private static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        var best = NameSuggester.Closest(name, candidates);
        return best is null || best == name ? string.Empty : $" (did you mean '{best}'?)";
    }

    private static string TrimMark(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return index >= 0 && message.StartsWith("(Line:", StringComparison.Ordinal) ? message[(index + 3)..] : message;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}\\z")]
    private static partial Regex ClassNamePattern();
}

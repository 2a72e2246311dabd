using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Catalog;

/// <summary>A class the catalog declares under <c>classes:</c>; without a remediation of the same name it only notifies.</summary>
public sealed record DeclaredClass(string Name, SourceLocation Location)
{
    public string? Description { get; init; }
}

/// <summary>
/// One matcher set of a class's <c>match:</c> list: all its matchers must hold for the set to declare the signal.
/// <see cref="Location"/> is where the set is written, which the classification cites.
/// </summary>
public sealed record MatcherSet(string Class, IReadOnlyList<LabelMatcher> Matchers, SourceLocation Location)
{
    public bool Matches(Func<string, string?> valueOf) => Matchers.All(m => m.Matches(valueOf(m.Name)));

    /// <summary>The set's matchers as written back, joined with ", ".</summary>
    public string Text => string.Join(", ", Matchers);

    /// <summary><c>file:line matchers</c>, for reasons and the audit trail.</summary>
    public string Citation => $"{Location.File}:{Location.Line} {Text}";

    /// <summary>The same set however its matchers are ordered, to find a set declared twice.</summary>
    internal string Key => string.Join("\n", Matchers.Select(m => m.ToString()).Order(StringComparer.Ordinal));
}

/// <summary>What the catalog declares about classification: its own classes, every matcher set, and the class label's name.</summary>
public sealed record CatalogDeclarations(IReadOnlyDictionary<string, DeclaredClass> Classes, IReadOnlyList<MatcherSet> Sets, string ClassLabel)
{
    public const string DefaultClassLabel = "homeostat_class";

    public static readonly CatalogDeclarations None = new(new Dictionary<string, DeclaredClass>(), [], DefaultClassLabel);

    /// <summary>The class's sets in a form that changes whenever they do, for the remediation's spec hash; null when it has none.</summary>
    public string? Fingerprint(string failureClass)
    {
        var keys = Sets.Where(s => s.Class == failureClass).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        return keys.Count == 0 ? null : string.Join("|", keys);
    }
}

/// <summary>The <c>classes:</c>, <c>class_label:</c> and <c>match:</c> parts of the catalog.</summary>
public sealed partial class CatalogLoader
{
    private static readonly string[] ClassKeys = ["match", "description"];

    private static CatalogDeclarations LoadDeclarations(string source, YamlNode? classesNode, YamlNode? classLabelNode, YamlMappingNode? remediationsNode, List<CatalogError> errors)
    {
        var classes = new Dictionary<string, DeclaredClass>(StringComparer.Ordinal);
        var sets = new List<MatcherSet>();
        var seen = new Dictionary<string, MatcherSet>(StringComparer.Ordinal);
        if (classesNode is YamlMappingNode classesMapping)
        {
            foreach (var (keyNode, valueNode) in classesMapping.Children)
            {
                var name = Scalar(keyNode) ?? string.Empty;
                if (!IsDeclarableClass(source, keyNode, $"classes.{name}", name, errors))
                {
                    continue;
                }

                var path = $"classes.{name}";
                if (IsEmpty(valueNode))
                {
                    classes[name] = new DeclaredClass(name, Location(source, keyNode));
                    continue;
                }

                if (valueNode is not YamlMappingNode mapping)
                {
                    errors.Add(Error(source, valueNode, path, "must be a mapping with 'match' (a list of matcher sets) and optionally 'description'", Scalar(valueNode)));
                    continue;
                }

                var entries = SubEntries(source, mapping, path, ClassKeys, errors);
                classes[name] = new DeclaredClass(name, Location(source, keyNode))
                {
                    Description = entries.TryGetValue("description", out var description) ? Scalar(description.Value) : null,
                };
                if (entries.TryGetValue("match", out var match))
                {
                    LoadMatch(source, $"{path}.match", name, match.Value, seen, sets, errors);
                }
            }
        }
        else if (classesNode is not null && !IsEmpty(classesNode))
        {
            errors.Add(Error(source, classesNode, "classes", "must be a mapping of class name to its declaration (match, description)", Scalar(classesNode)));
        }

        foreach (var (keyNode, valueNode) in remediationsNode?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var name = Scalar(keyNode) ?? string.Empty;
            if (ClassNamePattern().IsMatch(name) && name != Diagnosis.Classification.Unknown
                && valueNode is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("match"), out var match))
            {
                LoadMatch(source, $"remediations.{name}.match", name, match, seen, sets, errors);
            }
        }

        return new CatalogDeclarations(classes, sets, LoadClassLabel(source, classLabelNode, errors));
    }

    private static bool IsDeclarableClass(string source, YamlNode keyNode, string path, string name, List<CatalogError> errors)
    {
        if (name == Diagnosis.Classification.Unknown)
        {
            errors.Add(Error(source, keyNode, path, "'unknown' is what no class claims: it always goes to a human and cannot be declared", name));
            return false;
        }

        if (!ClassNamePattern().IsMatch(name))
        {
            errors.Add(Error(source, keyNode, path, "is not a valid class name (lower case letters, digits and underscores, starting with a letter, at most 63 characters)", name));
            return false;
        }

        return true;
    }

    private static void LoadMatch(
        string source, string path, string failureClass, YamlNode node, Dictionary<string, MatcherSet> seen, List<MatcherSet> sets, List<CatalogError> errors)
    {
        const string Example = "e.g. - ['alertname=\"KubePodCrashLooping\"'] - ['alertname=~\"Payments.*\"', 'team=\"payments\"']";
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            errors.Add(Error(source, node, path, $"must be a non-empty list of matcher sets, each a list of matchers that all hold ({Example})", Scalar(node)));
            return;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var setNode = sequence.Children[i];
            var setPath = $"{path}[{i}]";
            if (setNode is not YamlSequenceNode setSequence)
            {
                errors.Add(Error(source, setNode, setPath, $"must be a matcher set: a list of matchers that all hold, even for one matcher ({Example})", Scalar(setNode)));
                continue;
            }

            if (setSequence.Children.Count == 0)
            {
                errors.Add(Error(source, setNode, setPath, "is an empty matcher set, which would match every signal; list at least one matcher"));
                continue;
            }

            var matchers = new List<LabelMatcher>();
            var valid = true;
            for (var j = 0; j < setSequence.Children.Count; j++)
            {
                var matcherNode = setSequence.Children[j];
                var text = Scalar(matcherNode);
                if (text is null)
                {
                    errors.Add(Error(source, matcherNode, $"{setPath}[{j}]", "must be a matcher string such as 'alertname=\"X\"'"));
                    valid = false;
                }
                else if (!LabelMatcher.TryParse(text, out var matcher, out var problem))
                {
                    errors.Add(Error(source, matcherNode, $"{setPath}[{j}]", problem!, text));
                    valid = false;
                }
                else if (matchers.Any(m => m.ToString() == matcher!.ToString()))
                {
                    errors.Add(Error(source, matcherNode, $"{setPath}[{j}]", "is given twice in this set", text));
                    valid = false;
                }
                else
                {
                    matchers.Add(matcher!);
                }
            }

            if (!valid)
            {
                continue;
            }

            var set = new MatcherSet(failureClass, matchers, Location(source, setNode));
            if (seen.TryGetValue(set.Key, out var first))
            {
                var where = $"{first.Location.File}:{first.Location.Line}";
                errors.Add(Error(source, setNode, setPath, first.Class == failureClass
                    ? $"the same matcher set is given twice for '{failureClass}' (first at {where})"
                    : $"the same matcher set also declares class '{first.Class}' at {where}: every signal it matches would be ambiguous between the two",
                    set.Text));
                continue;
            }

            seen[set.Key] = set;
            sets.Add(set);
        }
    }

    private static string LoadClassLabel(string source, YamlNode? node, List<CatalogError> errors)
    {
        if (node is null)
        {
            return CatalogDeclarations.DefaultClassLabel;
        }

        var name = Scalar(node);
        if (name is null || (name.Length > 0 && (!LabelNamePattern().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))))
        {
            errors.Add(Error(source, node, "class_label",
                "must be a label name (letters, digits and underscores, not starting with a digit or '__'), or empty to ignore class labels", name));
            return CatalogDeclarations.DefaultClassLabel;
        }

        return name;
    }

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Value: null or "" };

    private static SourceLocation Location(string source, YamlNode node) => new(source, (int)node.Start.Line, (int)node.Start.Column);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}\\z")]
    private static partial Regex LabelNamePattern();
}

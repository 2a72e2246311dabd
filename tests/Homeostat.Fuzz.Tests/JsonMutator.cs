using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Homeostat.Fuzz.Tests;

internal enum JsonMutationKind
{
    ReplaceValue,
    AddField,
    RemoveField,
    DuplicateKey,
    RenameKey,
    WrapDeep,
    RepeatInArray,
    Truncate,
    InsertText,
    DeleteText,
}

/// <summary>One change to a document: what, where (an index into its nodes or characters, wrapped), and with what.</summary>
internal sealed record JsonMutation(JsonMutationKind Kind, int Where, string Name, string Raw, int Count);

/// <summary>
/// Valid documents changed the way hostile or broken senders change them: values of the wrong type, unknown and
/// duplicated fields, deep nesting, huge numbers, odd text, truncation. The changes work on the parsed tree (so most
/// results are still JSON and reach the field checks) and then on the text.
/// </summary>
internal static class JsonMutator
{
    private const string Placeholder = "@@FUZZ";

    private static readonly JsonSerializerOptions RelaxedText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions EscapedText = new();
    private static readonly JsonDocumentOptions DeepDocuments = new() { MaxDepth = 1000 };

    /// <summary>Mutated versions of <paramref name="seeds"/>; a seed that is a JSON array is written as JSON Lines when <paramref name="asLines"/>.</summary>
    public static Gen<string> Mutated(IReadOnlyList<string> seeds, IReadOnlyList<string> fieldNames, bool loneSurrogates = true, bool asLines = false)
    {
        var mutation = Gen.Select(
            Gen.Frequency(
                (6, Gen.Const(JsonMutationKind.ReplaceValue)), (4, Gen.Const(JsonMutationKind.AddField)), (2, Gen.Const(JsonMutationKind.RemoveField)),
                (2, Gen.Const(JsonMutationKind.DuplicateKey)), (2, Gen.Const(JsonMutationKind.RenameKey)), (1, Gen.Const(JsonMutationKind.WrapDeep)),
                (1, Gen.Const(JsonMutationKind.RepeatInArray)), (1, Gen.Const(JsonMutationKind.Truncate)), (2, Gen.Const(JsonMutationKind.InsertText)),
                (1, Gen.Const(JsonMutationKind.DeleteText))),
            Gen.Int[0, 100_000],
            Gen.Frequency((3, Gen.OneOf(fieldNames.ToArray())), (1, HostileText.Text(loneSurrogates))),
            RawValue(fieldNames, loneSurrogates),
            Gen.Frequency((8, Gen.Int[1, 20]), (1, Gen.Int[20, 1_200])),
            (kind, where, name, raw, count) => new JsonMutation(kind, where, name, raw, count));
        return Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[0, 5], (seed, mutations) => Apply(seeds[seed], mutations, loneSurrogates, asLines));
    }

    /// <summary>A JSON value as text, often not what the field wants, sometimes not JSON at all.</summary>
    public static Gen<string> RawValue(IReadOnlyList<string> fieldNames, bool loneSurrogates)
    {
        var text = HostileText.Text(loneSurrogates);
        var escapedLoneSurrogates = Gen.OneOf("\"\\ud800\"", "\"x\\udc00\"", "\"\\udbff\\udbff\"", "\"\\ud800\\u0041\"");
        return Gen.Frequency(
            (5, text.Select(t => JsonSerializer.Serialize(t, EscapedText))),
            (3, text.Select(t => JsonSerializer.Serialize(t, RelaxedText))),
            (2, Gen.OneOf(
                "0", "-1", "1", "0.5", "1e309", "-1e309", "1.7976931348623157e308", "4.9e-324", "-0", "1E+2", "123456789012345678901234567890",
                "00", "01", ".5", "NaN", "Infinity", "+1", "0x10", "true", "false", "null", "{}", "[]", "[\"a\"]", "{\"a\":1}", "{\"a\":\"b\"}",
                "\"\"", "\" \"", "\"\\u0000\"", "\"\\u202e\"", "\"\\x\"", "\"\\u12\"", "'single'", "undefined", "\"a\"\"b\"", "{\"a\":\"1\",\"a\":\"2\"}")),
            (2, loneSurrogates ? escapedLoneSurrogates : Gen.OneOf("\"\\u00e9\"", "\"\\ud83d\\ude00\"")),
            (1, Gen.Int[1, 400].Select(depth => new string('[', depth) + new string(']', depth))),
            (1, Gen.Int[1, 400].Select(depth => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth))),
            (1, Gen.Select(Gen.OneOf(fieldNames.ToArray()), Gen.Int[1, 300], (name, count) =>
                "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{name}_{i}\":\"v{i}\"")) + "}")),
            (1, Gen.Int[1, 1_100].Select(count => "[" + string.Join(",", Enumerable.Repeat("\"x\"", count)) + "]")));
    }

    public static string Apply(string seed, IReadOnlyList<JsonMutation> mutations, bool loneSurrogates, bool asLines)
    {
        var root = JsonNode.Parse(seed, documentOptions: DeepDocuments)!;
        var raws = new List<string>();
        var text = new List<JsonMutation>();
        foreach (var mutation in mutations)
        {
            if (mutation.Kind is JsonMutationKind.Truncate or JsonMutationKind.InsertText or JsonMutationKind.DeleteText)
            {
                text.Add(mutation);
                continue;
            }

            root = ApplyToTree(root, mutation, raws);
        }

        var result = asLines && root is JsonArray lines
            ? string.Join("\n", lines.Select(line => line?.ToJsonString(RelaxedText) ?? "null"))
            : root.ToJsonString(RelaxedText);
        for (var i = raws.Count - 1; i >= 0; i--)
        {
            result = result.Replace(JsonSerializer.Serialize($"{Placeholder}{i}@@"), raws[i], StringComparison.Ordinal);
        }

        foreach (var mutation in text)
        {
            result = ApplyToText(result, mutation, loneSurrogates);
        }

        return loneSurrogates ? result : WithoutSurrogateEscapes(result);
    }

    private static JsonNode ApplyToTree(JsonNode root, JsonMutation mutation, List<string> raws)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[mutation.Where % nodes.Count];
        switch (mutation.Kind)
        {
            case JsonMutationKind.ReplaceValue:
                return Replace(root, target, RawNode(mutation.Raw, raws));
            case JsonMutationKind.WrapDeep:
                return Replace(root, target, RawNode(new string('[', mutation.Count) + target.ToJsonString(RelaxedText) + new string(']', mutation.Count), raws));
            case JsonMutationKind.AddField when ObjectOf(target) is { } map:
                map[Unique(map, mutation.Name)] = RawNode(mutation.Raw, raws);
                return root;
            case JsonMutationKind.RemoveField when ObjectOf(target) is { Count: > 0 } map:
                map.Remove(map.ElementAt(mutation.Where % map.Count).Key);
                return root;
            case JsonMutationKind.DuplicateKey when ObjectOf(target) is { Count: > 0 } map:
            {
                // A JSON object cannot hold a key twice; write a placeholder key and put the duplicate in the text.
                var existing = map.ElementAt(mutation.Where % map.Count).Key;
                var placeholderKey = $"{Placeholder}{raws.Count}@@";
                raws.Add(JsonSerializer.Serialize(existing));
                map[placeholderKey] = RawNode(mutation.Raw, raws);
                return root;
            }

            case JsonMutationKind.RenameKey when ObjectOf(target) is { Count: > 0 } map:
            {
                var (key, value) = map.ElementAt(mutation.Where % map.Count);
                map.Remove(key);
                map[Unique(map, mutation.Name)] = value;
                return root;
            }

            case JsonMutationKind.RepeatInArray when target.Parent is JsonArray array:
                for (var i = 0; i < mutation.Count; i++)
                {
                    array.Add(target.DeepClone());
                }

                return root;
            default:
                return root;
        }
    }

    private static JsonObject? ObjectOf(JsonNode node) => node as JsonObject ?? node.Parent as JsonObject;

    private static string Unique(JsonObject map, string name)
    {
        var candidate = name;
        for (var i = 2; map.ContainsKey(candidate); i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static JsonNode RawNode(string raw, List<string> raws)
    {
        raws.Add(raw);
        return JsonValue.Create($"{Placeholder}{raws.Count - 1}@@");
    }

    private static JsonNode Replace(JsonNode root, JsonNode target, JsonNode replacement)
    {
        switch (target.Parent)
        {
            case null:
                return replacement;
            case JsonObject map:
                map[target.GetPropertyName()] = replacement;
                return root;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                return root;
            default:
                return root;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject map:
                foreach (var (_, child) in map.ToList())
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    Collect(child, nodes);
                }

                break;
        }
    }

    private static string ApplyToText(string text, JsonMutation mutation, bool loneSurrogates)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var at = mutation.Where % text.Length;
        var insert = loneSurrogates ? mutation.Name : HostileText.WithoutLoneSurrogates(mutation.Name);
        var result = mutation.Kind switch
        {
            JsonMutationKind.Truncate => text[..at],
            JsonMutationKind.InsertText => text[..at] + insert + text[at..],
            JsonMutationKind.DeleteText => text[..at] + text[Math.Min(text.Length, at + mutation.Count)..],
            _ => text,
        };
        return loneSurrogates ? result : HostileText.WithoutLoneSurrogates(result);
    }

    /// <summary>Text cut inside an escaped surrogate pair leaves an escaped half; without lone surrogates, none is left.</summary>
    private static string WithoutSurrogateEscapes(string json) =>
        System.Text.RegularExpressions.Regex.Replace(json, @"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", @"\u00e9");
}

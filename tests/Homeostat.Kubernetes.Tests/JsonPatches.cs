using System.Globalization;
using System.Text.Json.Nodes;

namespace Homeostat.Kubernetes.Tests;

/// <summary>The patch formats the fake API server accepts: RFC 7386 merge patch, a strategic merge patch approximation, RFC 6902 JSON patch.</summary>
public static class JsonPatches
{
    /// <summary>
    /// RFC 7386; with <paramref name="strategic"/>, lists of objects that all carry a <c>name</c> (containers, env, volumes...)
    /// merge item by item on that key, as the strategic merge patch's patchMergeKey does. <c>$patch</c> directives are not supported.
    /// </summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic)
    {
        if (patch is not JsonObject patchObject)
        {
            if (strategic && patch is JsonArray patchArray && target is JsonArray targetArray && IsNamedList(patchArray) && IsNamedList(targetArray))
            {
                return MergeNamedList(targetArray, patchArray);
            }

            return patch?.DeepClone();
        }

        if (patchObject.Any(p => p.Key.StartsWith('$')))
        {
            throw new InvalidOperationException("strategic merge patch directives ($patch, $retainKeys, ...) are not supported by the fake API server");
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value, strategic);
            }
        }

        return result;
    }

    private static bool IsNamedList(JsonArray array) =>
        array.All(item => item is JsonObject o && o["name"] is JsonValue v && v.TryGetValue<string>(out _));

    private static JsonArray MergeNamedList(JsonArray target, JsonArray patch)
    {
        var result = new JsonArray(target.Select(i => i!.DeepClone()).ToArray());
        foreach (var item in patch)
        {
            var name = item!["name"]!.GetValue<string>();
            var index = result.Select((existing, i) => (existing, i)).FirstOrDefault(p => p.existing!["name"]!.GetValue<string>() == name, (null, -1)).Item2;
            if (index < 0)
            {
                result.Add(item.DeepClone());
            }
            else
            {
                result[index] = Merge(result[index], item, strategic: true);
            }
        }

        return result;
    }

    /// <summary>RFC 6902 operations add, remove, replace and test.</summary>
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        foreach (var operation in operations)
        {
            var op = operation?["op"]?.GetValue<string>() ?? throw new InvalidOperationException("a JSON patch operation has no op");
            var path = operation["path"]?.GetValue<string>() ?? throw new InvalidOperationException("a JSON patch operation has no path");
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            if (tokens.Length == 0)
            {
                throw new InvalidOperationException("operations on the whole document are not supported");
            }

            var parent = Walk(document, tokens[..^1]);
            var last = tokens[^1];
            switch (op)
            {
                case "test":
                    if (!JsonNode.DeepEquals(Child(parent, last), operation["value"]))
                    {
                        throw new InvalidOperationException($"test failed at {path}");
                    }

                    break;
                case "remove":
                    _ = Child(parent, last) ?? throw new InvalidOperationException($"nothing to remove at {path}");
                    if (parent is JsonArray removeArray)
                    {
                        removeArray.RemoveAt(Index(last, removeArray.Count - 1));
                    }
                    else
                    {
                        parent.AsObject().Remove(last);
                    }

                    break;
                case "add" or "replace":
                    var value = operation["value"]?.DeepClone();
                    if (op == "replace")
                    {
                        _ = Child(parent, last) ?? throw new InvalidOperationException($"nothing to replace at {path}");
                    }

                    if (parent is JsonArray array)
                    {
                        if (op == "add")
                        {
                            array.Insert(last == "-" ? array.Count : Index(last, array.Count), value);
                        }
                        else
                        {
                            array[Index(last, array.Count - 1)] = value;
                        }
                    }
                    else
                    {
                        parent.AsObject()[last] = value;
                    }

                    break;
                default:
                    throw new InvalidOperationException($"JSON patch op '{op}' is not supported by the fake API server");
            }
        }

        return document;
    }

    private static JsonNode Walk(JsonNode node, IEnumerable<string> tokens)
    {
        foreach (var token in tokens)
        {
            node = Child(node, token) ?? throw new InvalidOperationException($"path segment '{token}' does not exist");
        }

        return node;
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonArray array => array[Index(token, array.Count - 1)],
        JsonObject obj => obj[token],
        _ => throw new InvalidOperationException($"'{token}' is below a value that is neither an object nor an array"),
    };

    private static int Index(string token, int max) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= max && index >= 0
            ? index
            : throw new InvalidOperationException($"'{token}' is not an index in the array");
}

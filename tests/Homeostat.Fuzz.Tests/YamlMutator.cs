using System.Text.RegularExpressions;
using CsCheck;

namespace Homeostat.Fuzz.Tests;

internal enum YamlMutationKind
{
    ReplaceValue,
    RenameKey,
    InsertLine,
    DuplicateLine,
    DeleteLine,
    Reindent,
    SwapLines,
    Truncate,
    InsertText,
}

internal sealed record YamlMutation(YamlMutationKind Kind, int Where, string Key, string Value, int Amount);

/// <summary>
/// Valid YAML files changed line by line the way people break them: values of the wrong kind, misspelt and duplicated
/// keys, bad indentation, tabs, unclosed brackets and quotes, anchors, tags, deep nesting, truncation.
/// </summary>
internal static partial class YamlMutator
{
    public const string Secret = "FUZZSECRET";

    public static Gen<string> Mutated(IReadOnlyList<string> seeds, IReadOnlyList<string> keys)
    {
        var mutation = Gen.Select(
            Gen.Frequency(
                (6, Gen.Const(YamlMutationKind.ReplaceValue)), (2, Gen.Const(YamlMutationKind.RenameKey)), (3, Gen.Const(YamlMutationKind.InsertLine)),
                (2, Gen.Const(YamlMutationKind.DuplicateLine)), (1, Gen.Const(YamlMutationKind.DeleteLine)), (1, Gen.Const(YamlMutationKind.Reindent)),
                (1, Gen.Const(YamlMutationKind.SwapLines)), (1, Gen.Const(YamlMutationKind.Truncate)), (1, Gen.Const(YamlMutationKind.InsertText))),
            Gen.Int[0, 100_000],
            Gen.Frequency((4, Gen.OneOf(keys.ToArray())), (1, HostileText.Text()), (1, Gen.OneOf(keys.ToArray()).Select(Misspell))),
            Value,
            Gen.Int[-8, 8],
            (kind, where, key, value, amount) => new YamlMutation(kind, where, key, value, amount));
        return Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[1, 5], (seed, mutations) => mutations.Aggregate(seeds[seed], Apply));
    }

    /// <summary>A YAML value: often the wrong kind for its key, sometimes not YAML at all.</summary>
    public static readonly Gen<string> Value = Gen.Frequency(
        (4, Gen.OneOf(
            "", "~", "null", "true", "false", "yes", "on", "0", "-1", "1", "0.5", "1.0", "1e309", "-1e309", ".inf", "-.inf", ".nan", "99999999999999999999999",
            "2147483648", "0x10", "0o17", "1_000", "30", "1h", "0s", "-5m", "1 hour", "99999999999d", "10675200d", "1Gi", "-1Mi", "99999999999Ti",
            "[]", "{}", "[a, b]", "{ a: 1 }", "[", "{", "]", "}", "'unclosed", "\"unclosed", "*alias", "&anchor x", "!!binary aGVsbG8=", "!!int x",
            "!!map {}", "!custom x", "|", ">", "- a", "? x", "%TAG ! tag:x", "---", "...", "@x", "`x", "\"\\ud800\"", "\"\\x00\"", "\"\\u202e\"",
            "'a''b'", "\"a\\\"b\"", "<<: *x", "&a [*a]", "\"\\\"", "low", "medium", "high", "required", "none", "api", "alertmanager",
            $"https://user:{Secret}@example.com/hook", $"http://{Secret}@127.0.0.1:9", "../../../../etc/passwd", "/dev/zero", "/proc/self/environ",
            "http://0.0.0.0:8088", "http://127.0.0.1:0/;http://0.0.0.0:1")),
        (2, HostileText.Text().Select(text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'")),
        (1, HostileText.Text()),
        (1, Gen.Int[1, 300].Select(depth => new string('[', depth) + new string(']', depth))),
        (1, Gen.Int[1, 300].Select(depth => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth))),
        (1, Gen.Int[1, 200].Select(count => "[" + string.Join(", ", Enumerable.Range(0, count).Select(i => $"v{i}")) + "]")));

    private static string Misspell(string key) => key.Length > 1 ? key[1..] + key[0] : key + "s";

    private static string Apply(string yaml, YamlMutation mutation)
    {
        var lines = yaml.Split('\n').ToList();
        var index = mutation.Where % lines.Count;
        var line = lines[index];
        switch (mutation.Kind)
        {
            case YamlMutationKind.ReplaceValue:
                var valued = KeyAndValue().Match(line);
                lines[index] = valued.Success ? valued.Groups["key"].Value + mutation.Value : line + " " + mutation.Value;
                break;
            case YamlMutationKind.RenameKey:
                var keyed = KeyAndValue().Match(line);
                if (keyed.Success)
                {
                    lines[index] = keyed.Groups["indent"].Value + mutation.Key + ": " + keyed.Groups["value"].Value;
                }

                break;
            case YamlMutationKind.InsertLine:
                var indent = Indent().Match(line).Value;
                lines.Insert(index, indent + mutation.Key + ": " + mutation.Value);
                break;
            case YamlMutationKind.DuplicateLine:
                lines.Insert(index, line);
                break;
            case YamlMutationKind.DeleteLine:
                lines.RemoveAt(index);
                break;
            case YamlMutationKind.Reindent:
                lines[index] = mutation.Amount == 0 ? "\t" + line
                    : mutation.Amount > 0 ? new string(' ', mutation.Amount) + line
                    : line.TrimStart()[..0] + line[Math.Min(-mutation.Amount, Indent().Match(line).Length)..];
                break;
            case YamlMutationKind.SwapLines:
                var other = (index + Math.Abs(mutation.Amount) + 1) % lines.Count;
                (lines[index], lines[other]) = (lines[other], lines[index]);
                break;
            case YamlMutationKind.Truncate:
                return yaml[..(mutation.Where % (yaml.Length + 1))];
            case YamlMutationKind.InsertText:
                var at = mutation.Where % (yaml.Length + 1);
                return yaml[..at] + mutation.Key + yaml[at..];
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^(?<key>(?<indent>\s*(?:- )?)[^\s:#][^:#]*:\s+)(?<value>.*)$")]
    private static partial Regex KeyAndValue();

    [GeneratedRegex(@"^\s*")]
    private static partial Regex Indent();
}

using System.Text.Json;

namespace Homeostat.Signals;

/// <summary>
/// Checks the strings of a parsed JSON document before anything reads them. JSON may escape a lone surrogate
/// (<c>"\ud800"</c>), which is valid JSON but no text: reading it throws. Every such string, property names included, is
/// reported here with its path, so the boundary answers 400 instead of failing later.
/// </summary>
public static class JsonText
{
    /// <summary>The first string or property name in <paramref name="element"/> that is not valid Unicode, as a contract error; null when all are.</summary>
    public static ContractError? FirstMalformed(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsReadable(element) ? null : Malformed(path);
            case JsonValueKind.Array:
            {
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstMalformed(item, $"{path}[{index}]") is { } error)
                    {
                        return error;
                    }

                    index++;
                }

                return null;
            }

            case JsonValueKind.Object:
            {
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return new ContractError($"{path}.(property {index})", "the property name is not valid Unicode (a lone surrogate such as \\ud800)");
                    }

                    if (FirstMalformed(property.Value, $"{path}.{name}") is { } error)
                    {
                        return error;
                    }

                    index++;
                }

                return null;
            }

            default:
                return null;
        }
    }

    /// <summary>Parses <paramref name="body"/> and checks its strings; the error names the path of the first problem.</summary>
    public static JsonDocument? TryParse(string body, JsonDocumentOptions options, out ContractError? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, options);
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } line ? $" at line {line + 1}, byte {exception.BytePositionInLine + 1}" : string.Empty;
            error = new ContractError("$", $"malformed JSON{where}");
            return null;
        }

        error = FirstMalformed(document.RootElement, "$");
        if (error is null)
        {
            return document;
        }

        document.Dispose();
        return null;
    }

    private static bool IsReadable(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static ContractError Malformed(string path) =>
        new(path, "is not valid Unicode text (a lone surrogate such as \\ud800)");
}

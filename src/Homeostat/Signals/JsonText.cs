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

    /// <summary>
    /// The first unpaired surrogate in the raw text itself, as a contract error at <paramref name="path"/> naming its line
    /// and character; null when the text is well formed. A body read from bytes never holds one (invalid UTF-8 decodes
    /// to U+FFFD), but a caller handing a string straight in can, and the JSON reader throws on it.
    /// </summary>
    public static ContractError? LoneSurrogate(string text, string path)
    {
        var line = 1;
        var column = 1;
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            if (char.IsHighSurrogate(character) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                index++;
                column++;
                continue;
            }

            if (char.IsSurrogate(character))
            {
                return new ContractError(path, $"is not valid Unicode text: a lone surrogate at line {line}, character {column}");
            }

            if (character == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return null;
    }

    /// <summary>Parses <paramref name="body"/> and checks its strings; the error names the path of the first problem.</summary>
    public static JsonDocument? TryParse(string body, JsonDocumentOptions options, out ContractError? error)
    {
        error = LoneSurrogate(body, "$");
        if (error is not null)
        {
            return null;
        }

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

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Homeostat.Catalog;

/// <summary>
/// Finds lists and mappings nested deeper than a file of settings ever needs. YamlDotNet's representation model loads
/// nested nodes recursively, so a few thousand '[' overflow the stack and end the process; the event parser does not
/// recurse, so it can measure the depth first.
/// </summary>
public static class YamlNesting
{
    public const int MaxDepth = 32;

    /// <summary>Where the first node deeper than <see cref="MaxDepth"/> starts, or null; text that does not parse is left to the loader to report.</summary>
    public static Mark? TooDeep(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case SequenceStart or MappingStart when ++depth > MaxDepth:
                        return parser.Current.Start;
                    case SequenceEnd or MappingEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is YamlException or InvalidOperationException or ArgumentException)
        {
        }

        return null;
    }
}

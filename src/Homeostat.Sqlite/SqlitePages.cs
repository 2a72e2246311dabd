using System.Buffers.Binary;

namespace Homeostat.Sqlite;

/// <summary>
/// Finds a damaged page by reading the b-trees of the file directly, for damage that stops SQLite's own check with an
/// error instead of a report. It reads the main file as it stands (not the write-ahead log), so it only names what is
/// certainly wrong there: a page of a tree that is not a b-tree page, or a pointer out of the page or the file.
/// </summary>
internal static class SqlitePages
{
    private const byte InteriorIndex = 0x02;
    private const byte InteriorTable = 0x05;
    private const byte LeafIndex = 0x0A;
    private const byte LeafTable = 0x0D;

    public static string? FindDamage(string path, IReadOnlyList<(string Name, int Root)> roots)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var header = new byte[100];
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return null;
            }

            var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2)) is var size && size == 1 ? 65536 : (int)size;
            var pages = file.Length / pageSize;
            var visited = new HashSet<long>();
            foreach (var (name, root) in roots.Prepend(("sqlite_master", 1)))
            {
                if (Walk(file, pageSize, pages, root, name, visited) is { } damage)
                {
                    return damage;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static string? Walk(FileStream file, int pageSize, long pages, long root, string tree, HashSet<long> visited)
    {
        var pending = new Stack<long>();
        pending.Push(root);
        var buffer = new byte[pageSize];
        while (pending.Count > 0)
        {
            var page = pending.Pop();
            if (page > pages || !visited.Add(page))
            {
                // Beyond the main file the page lives in the write-ahead log only; seen twice is SQLite's to report.
                continue;
            }

            file.Seek((page - 1) * pageSize, SeekOrigin.Begin);
            file.ReadExactly(buffer);
            var start = page == 1 ? 100 : 0;
            var type = buffer[start];
            if (type is not (InteriorIndex or InteriorTable or LeafIndex or LeafTable))
            {
                return $"page {page}: it is not a b-tree page (type byte 0x{type:x2}) though {tree} leads to it: it was zeroed or overwritten";
            }

            var interior = type is InteriorIndex or InteriorTable;
            var cells = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 3, 2));
            var pointers = start + (interior ? 12 : 8);
            if (pointers + (2 * cells) > pageSize)
            {
                return $"page {page}: it claims {cells} cells, more than a page of {tree} can hold";
            }

            for (var i = 0; i < cells; i++)
            {
                var cell = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(pointers + (2 * i), 2));
                if (cell < pointers + (2 * cells) || cell >= pageSize - (interior ? 4 : 1))
                {
                    return $"page {page}: cell {i} of {tree} points outside the page";
                }

                if (interior)
                {
                    pending.Push(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(cell, 4)));
                }
            }

            if (interior)
            {
                pending.Push(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start + 8, 4)));
            }
        }

        return null;
    }
}

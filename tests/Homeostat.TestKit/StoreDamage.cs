using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Homeostat.TestKit;

/// <summary>Damages a real store file the way a disk or a careless hand does: a zeroed page, flipped bytes, a cut.</summary>
public static class StoreDamage
{
    /// <summary>Closes every pooled connection and moves the write-ahead log into the file, so the damage lands on what SQLite reads next.</summary>
    public static void Settle(string database)
    {
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>The leaf pages of a table's b-tree, in key order (for the audit trail: by sequence number).</summary>
    public static IReadOnlyList<int> LeafPages(string database, string table)
    {
        int root;
        using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = $name";
            command.Parameters.AddWithValue("$name", table);
            root = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var bytes = File.ReadAllBytes(database);
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(16, 2)) is var size && size == 1 ? 65536 : size;
        var leaves = new List<int>();
        Walk(bytes, pageSize, root, leaves);
        return leaves;
    }

    public static void ZeroPage(string database, int page)
    {
        var pageSize = PageSize(database);
        using var file = new FileStream(database, FileMode.Open, FileAccess.Write);
        file.Seek((long)(page - 1) * pageSize, SeekOrigin.Begin);
        file.Write(new byte[pageSize]);
    }

    /// <summary>Inverts <paramref name="count"/> bytes of a page from <paramref name="offset"/> within it.</summary>
    public static void FlipBytes(string database, int page, int offset, int count)
    {
        var bytes = File.ReadAllBytes(database);
        var start = (page - 1) * PageSize(database) + offset;
        for (var i = start; i < start + count; i++)
        {
            bytes[i] = (byte)~bytes[i];
        }

        File.WriteAllBytes(database, bytes);
    }

    /// <summary>Overwrites the first occurrence of <paramref name="text"/> in the file with text of the same length.</summary>
    public static void Replace(string database, string text, string replacement)
    {
        if (text.Length != replacement.Length)
        {
            throw new ArgumentException("the replacement must be as long as the text, so the record keeps its size", nameof(replacement));
        }

        var bytes = File.ReadAllBytes(database);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
        if (at < 0)
        {
            throw new InvalidOperationException($"'{text}' is not in {database}");
        }

        Encoding.UTF8.GetBytes(replacement).CopyTo(bytes, at);
        File.WriteAllBytes(database, bytes);
    }

    private static int PageSize(string database)
    {
        using var file = File.OpenRead(database);
        var header = new byte[100];
        file.ReadExactly(header);
        var size = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2));
        return size == 1 ? 65536 : size;
    }

    private static void Walk(byte[] bytes, int pageSize, int page, List<int> leaves)
    {
        var start = (page - 1) * pageSize;
        var header = page == 1 ? start + 100 : start;
        switch (bytes[header])
        {
            case 0x0D:
                leaves.Add(page);
                return;
            case 0x05:
                var cells = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(header + 3, 2));
                for (var i = 0; i < cells; i++)
                {
                    var cell = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(header + 12 + (2 * i), 2));
                    Walk(bytes, pageSize, (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(start + cell, 4)), leaves);
                }

                Walk(bytes, pageSize, (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(header + 8, 4)), leaves);
                return;
            default:
                throw new InvalidOperationException($"page {page} is not a table b-tree page");
        }
    }
}

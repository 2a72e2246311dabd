using CsCheck;
using Homeostat.Primitives;

namespace Homeostat.Fuzz.Tests;

/// <summary>The duration, size and time parsers on text shaped like what operators write, and near misses of it.</summary>
public sealed class DurationFuzzTests
{
    private static readonly Gen<string> Number = Gen.Frequency(
        (6, Gen.Long[0, 100_000].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.Select(Gen.Long[0, 1000], Gen.Long[0, 999_999_999], (whole, part) => $"{whole}.{part}")),
        (1, Gen.OneOf("0", "00", "1e3", "99999999999999999999999999", "10675199", "10675200", "922337203685", ".5", "5.", "-1", "+1", "٣", "１", "𝟗", "1_000", "1,5", " 1")));

    private static readonly Gen<string> Unit = Gen.OneOf("ms", "s", "m", "h", "d", "w", "", "S", "H", "us", "µs", "ns", "y", "mo", " s", "sec", "min");

    /// <summary>Sequences of number-and-unit parts, sometimes with text between them; and hostile text.</summary>
    private static readonly Gen<string> DurationText = Gen.Frequency(
        (6, Gen.Select(Number, Unit).Array[1, 6].Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)))),
        (2, Gen.Select(Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 59], Gen.OneOf("", "-", "1.", "99999999."), (h, m, s, days) => $"{days}{h:00}:{m:00}:{s:00}")),
        (2, HostileText.Text()));

    private static readonly Gen<TimeSpan> Span = Gen.Frequency(
        (4, Gen.Long[0, TimeSpan.TicksPerDay * 400]),
        (2, Gen.Long[0, 1_000_000].Select(ms => ms * TimeSpan.TicksPerMillisecond)),
        (1, Gen.Long[0, TimeSpan.MaxValue.Ticks]),
        (1, Gen.Long[TimeSpan.MaxValue.Ticks - 10_000_000, TimeSpan.MaxValue.Ticks])).Select(ticks => new TimeSpan(ticks));

    [Fact]
    public void Durations_ParseOrRefuse_NeverThrow_AndAreNeverNegative() =>
        Fuzz.Check(DurationText, text =>
        {
            if (Duration.TryParse(text, out var duration))
            {
                duration.Value.ShouldBeGreaterThanOrEqualTo(TimeSpan.Zero);
                Duration.TryParse(text, out var again).ShouldBeTrue();
                again.ShouldBe(duration);
            }
            else
            {
                Should.Throw<FormatException>(() => Duration.Parse(text));
            }
        });

    [Fact]
    public void Durations_WrittenAndReadBack_AreTheSame() =>
        Fuzz.Check(Span, span =>
        {
            var written = new Duration(span).ToString();
            Duration.TryParse(written, out var read).ShouldBeTrue($"'{written}' does not parse");
            read.Value.ShouldBe(span, $"'{written}'");
        });

    [Fact]
    public void ParsedDurations_WrittenAndReadBack_AreTheSame() =>
        Fuzz.Check(DurationText, text =>
        {
            if (Duration.TryParse(text, out var duration))
            {
                var written = duration.ToString();
                Duration.TryParse(written, out var read).ShouldBeTrue($"'{written}' does not parse");
                read.ShouldBe(duration, $"'{text}' was written as '{written}'");
            }
        });

    [Fact]
    public void Sizes_ParseOrRefuse_NeverThrow_AndExactSizesReadBack() =>
        Fuzz.Check(
            Gen.Frequency(
                (4, Gen.Select(Number, Gen.OneOf("", "B", "Ki", "Mi", "Gi", "Ti", "KiB", "k", "K", "M", "G", "T", "MB", "GB", "TB", "Pi", "iB", " Mi")).Select(p => p.Item1 + p.Item2)),
                (1, HostileText.Text())),
            text =>
            {
                if (ByteSize.TryParse(text, out var size))
                {
                    size.Bytes.ShouldBeGreaterThanOrEqualTo(0);
                    var written = size.ToString();
                    if (!written.Contains('.', StringComparison.Ordinal))
                    {
                        ByteSize.TryParse(written, out var read).ShouldBeTrue($"'{written}' does not parse");
                        read.ShouldBe(size);
                    }
                }
                else
                {
                    Should.Throw<FormatException>(() => ByteSize.Parse(text));
                }
            });

    [Fact]
    public void Rfc3339Times_ParseOrRefuse_NeverThrow() =>
        Fuzz.Check(
            Gen.Frequency(
                (4, Gen.Select(Gen.Int[0, 9999], Gen.Int[0, 13], Gen.Int[0, 32], Gen.Int[0, 25], Gen.Int[0, 61], Gen.OneOf("Z", "z", "+00:00", "-23:59", "+14:00", "+99:99", "", ".123456789Z", ".1234567891Z", "Z\n"),
                    (y, mo, d, h, mi, zone) => $"{y:0000}-{mo:00}-{d:00}T{h:00}:{mi:00}:{mi:00}{zone}")),
                (1, HostileText.Text())),
            text =>
            {
                if (Rfc3339.TryParse(text, out var time))
                {
                    time.Offset.ShouldBe(TimeSpan.Zero);
                }
            });
}

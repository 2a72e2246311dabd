using System.Text.Json;
using System.Text.Json.Serialization;

namespace Homeostat.Diagnosis;

/// <summary>
/// Maps a raw confidence to how often answers with that confidence were right on data the model did not train on:
/// isotonic regression (pool-adjacent-violators) over (raw confidence, correct?) pairs, interpolated between points.
/// </summary>
public sealed class ConfidenceCalibration
{
    public static readonly ConfidenceCalibration Identity = new([new CalibrationPoint(0, 0), new CalibrationPoint(1, 1)]);

    [JsonConstructor]
    public ConfidenceCalibration(IReadOnlyList<CalibrationPoint> points)
    {
        Points = points.OrderBy(p => p.Raw).ToList();
    }

    public IReadOnlyList<CalibrationPoint> Points { get; }

    public double Apply(double raw)
    {
        if (Points.Count == 0 || !double.IsFinite(raw))
        {
            return 0;
        }

        if (raw <= Points[0].Raw)
        {
            return Points[0].Calibrated;
        }

        for (var i = 1; i < Points.Count; i++)
        {
            if (raw <= Points[i].Raw)
            {
                var (low, high) = (Points[i - 1], Points[i]);
                var share = high.Raw > low.Raw ? (raw - low.Raw) / (high.Raw - low.Raw) : 1;
                return low.Calibrated + (share * (high.Calibrated - low.Calibrated));
            }
        }

        return Points[^1].Calibrated;
    }

    /// <summary>Fits the map to observed (raw confidence, was the answer right) pairs.</summary>
    public static ConfidenceCalibration Fit(IEnumerable<(double Raw, bool Correct)> observations)
    {
        // Pool adjacent violators: blocks of increasing raw confidence whose accuracy never decreases.
        var blocks = new List<(double SumRaw, double SumCorrect, int Count)>();
        foreach (var (raw, correct) in observations.OrderBy(o => o.Raw))
        {
            blocks.Add((raw, correct ? 1 : 0, 1));
            while (blocks.Count > 1 && Mean(blocks[^2]) >= Mean(blocks[^1]))
            {
                var last = blocks[^1];
                var previous = blocks[^2];
                blocks.RemoveAt(blocks.Count - 1);
                blocks[^1] = (previous.SumRaw + last.SumRaw, previous.SumCorrect + last.SumCorrect, previous.Count + last.Count);
            }
        }

        if (blocks.Count == 0)
        {
            return Identity;
        }

        var points = blocks.Select(b => new CalibrationPoint(b.SumRaw / b.Count, Mean(b))).ToList();
        return new ConfidenceCalibration(points);

        static double Mean((double SumRaw, double SumCorrect, int Count) block) => block.SumCorrect / block.Count;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Primitives.HomeostatJson.Indented);

    public static ConfidenceCalibration FromJson(string json) =>
        JsonSerializer.Deserialize<ConfidenceCalibration>(json, Primitives.HomeostatJson.Options) ?? Identity;
}

public sealed record CalibrationPoint(double Raw, double Calibrated);

using Homeostat.Diagnosis;

namespace Homeostat.Tests.Diagnosis;

public sealed class ConfidenceCalibrationTests
{
    [Fact]
    public void Fit_OverconfidentScores_MapsThemToObservedAccuracy()
    {
        // Raw 0.9 answers were right half the time; raw 0.99 answers always.
        var observations = Enumerable.Range(0, 100).Select(i => (0.9, i % 2 == 0)).Concat(Enumerable.Range(0, 100).Select(_ => (0.99, true)));

        var calibration = ConfidenceCalibration.Fit(observations);

        calibration.Apply(0.9).ShouldBe(0.5, 0.01);
        calibration.Apply(0.99).ShouldBe(1.0, 0.01);
    }

    [Fact]
    public void Fit_Result_IsMonotonic()
    {
        var observations = new[] { (0.2, true), (0.3, false), (0.5, true), (0.6, false), (0.7, true), (0.8, true) };

        var calibration = ConfidenceCalibration.Fit(observations);

        var values = Enumerable.Range(0, 101).Select(i => calibration.Apply(i / 100.0)).ToList();
        values.Zip(values.Skip(1)).ShouldAllBe(pair => pair.Second >= pair.First - 1e-12);
    }

    [Fact]
    public void Json_RoundTrip_KeepsThePoints()
    {
        var calibration = ConfidenceCalibration.Fit([(0.5, false), (0.9, true), (0.95, true)]);

        var copy = ConfidenceCalibration.FromJson(calibration.ToJson());

        copy.Apply(0.7).ShouldBe(calibration.Apply(0.7));
    }
}

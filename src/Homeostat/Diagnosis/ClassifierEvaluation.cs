using Homeostat.Catalog;

namespace Homeostat.Diagnosis;

public sealed record ClassMetrics(string Class, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>A prediction that would have run the wrong remediation automatically at the catalog's floors.</summary>
public sealed record UnsafeAction(string? Id, string Label, string Predicted, double Confidence, double Floor);

public sealed record EvaluationReport(
    IReadOnlyList<ClassMetrics> PerClass,
    double MacroF1,
    double Accuracy,
    IReadOnlyList<string> Classes,
    int[,] Confusion,
    double ExpectedCalibrationError,
    IReadOnlyList<UnsafeAction> UnsafeActions,
    int Total);

/// <summary>Scores a classifier on labelled signals the way the loop would use it.</summary>
public static class ClassifierEvaluation
{
    public static EvaluationReport Evaluate(IReadOnlyList<(LabelledSignal Item, Classification Predicted)> results, IEnumerable<string> classes, RemediationCatalog catalog, int calibrationBins = 10)
    {
        var classList = classes.Distinct(StringComparer.Ordinal).OrderBy(c => c == Classification.Unknown ? 1 : 0).ThenBy(c => c, StringComparer.Ordinal).ToList();
        foreach (var extra in results.SelectMany(r => new[] { r.Item.Label, r.Predicted.Class }).Distinct().Where(c => !classList.Contains(c)).ToList())
        {
            classList.Add(extra);
        }

        var index = classList.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var confusion = new int[classList.Count, classList.Count];
        foreach (var (item, predicted) in results)
        {
            confusion[index[item.Label], index[predicted.Class]]++;
        }

        var perClass = new List<ClassMetrics>();
        foreach (var name in classList)
        {
            var i = index[name];
            var truePositive = confusion[i, i];
            var support = Enumerable.Range(0, classList.Count).Sum(j => confusion[i, j]);
            var predicted = Enumerable.Range(0, classList.Count).Sum(j => confusion[j, i]);
            var precision = predicted == 0 ? 0 : (double)truePositive / predicted;
            var recall = support == 0 ? 0 : (double)truePositive / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(name, support, predicted, precision, recall, f1));
        }

        var scored = perClass.Where(m => m.Support > 0).ToList();
        var macroF1 = scored.Count == 0 ? 0 : scored.Average(m => m.F1);
        var accuracy = results.Count == 0 ? 0 : (double)results.Count(r => r.Item.Label == r.Predicted.Class) / results.Count;

        // Expected calibration error: the gap between confidence and accuracy, weighted by how many answers fall in each bin.
        var ece = 0.0;
        for (var bin = 0; bin < calibrationBins; bin++)
        {
            var low = (double)bin / calibrationBins;
            var high = (double)(bin + 1) / calibrationBins;
            var inBin = results.Where(r => r.Predicted.Confidence > low && r.Predicted.Confidence <= high || (bin == 0 && r.Predicted.Confidence == 0)).ToList();
            if (inBin.Count == 0)
            {
                continue;
            }

            var binAccuracy = (double)inBin.Count(r => r.Item.Label == r.Predicted.Class) / inBin.Count;
            var binConfidence = inBin.Average(r => r.Predicted.Confidence);
            ece += (double)inBin.Count / results.Count * Math.Abs(binAccuracy - binConfidence);
        }

        var unsafeActions = results
            .Where(r => r.Predicted.Class != r.Item.Label && !r.Predicted.IsUnknown)
            .Select(r => (r, remediation: catalog.Find(r.Predicted.Class)))
            .Where(x => x.remediation is { Auto: true } && x.r.Predicted.Confidence >= x.remediation.ConfidenceFloor)
            .Select(x => new UnsafeAction(x.r.Item.Signal.Id, x.r.Item.Label, x.r.Predicted.Class, x.r.Predicted.Confidence, x.remediation!.ConfidenceFloor))
            .ToList();

        return new EvaluationReport(perClass, macroF1, accuracy, classList, confusion, ece, unsafeActions, results.Count);
    }
}

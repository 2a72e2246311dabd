using BenchmarkDotNet.Attributes;
using Homeostat.Diagnosis;
using Homeostat.Learning;
using Homeostat.Signals;
using Microsoft.Extensions.Options;

namespace Homeostat.Benchmarks;

/// <summary>Latency of one classification per classifier, over a rotating set of realistic signals.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClassificationBenchmarks
{
    private readonly ClassSet _classes = new(FailureClasses.Seed);
    private Signal[] _signals = [];
    private RuleClassifier _rules = null!;
    private ModelClassifier _model = null!;
    private EnsembleClassifier _ensemble = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _signals = BenchmarkData.Signals();
        _rules = new RuleClassifier();
        _model = new ModelClassifier(ModelArtifact.LoadEmbedded());
        _ensemble = new EnsembleClassifier([_rules, _model], new FixedOptions<EnsembleOptions>(new EnsembleOptions()), _model);
    }

    [Benchmark(Baseline = true)]
    public Classification Rules() => _rules.Classify(Next(), _classes);

    [Benchmark]
    public Classification Model() => _model.Classify(Next(), _classes);

    [Benchmark]
    public Classification Ensemble() => _ensemble.ClassifyAsync(Next(), _classes, CancellationToken.None).Result;

    private Signal Next() => _signals[_next++ % _signals.Length];
}

/// <summary>Loading the shipped model, as run and classify do at start-up.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class ModelLoadBenchmarks
{
    [Benchmark]
    public ModelClassifier LoadShippedModel() => new(ModelArtifact.LoadEmbedded());
}

internal static class BenchmarkData
{
    public static Signal[] Signals()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Homeostat.slnx")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? ".", "data", "classifier", "heldout.jsonl");
        var parsed = LabelledSignals.ParseFile(path, new SignalParser(TimeProvider.System));
        return parsed.Items.Select(i => i.Signal).ToArray();
    }
}

internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

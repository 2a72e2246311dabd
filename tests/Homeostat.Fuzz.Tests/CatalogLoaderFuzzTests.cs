using Homeostat.Catalog;

namespace Homeostat.Fuzz.Tests;

/// <summary>
/// The catalog loader on mutated versions of the repository's catalogs: a catalog or located errors
/// (<c>file:line:col: key: message</c>), never an exception, never a credential in the text, the same answer each time.
/// </summary>
public sealed class CatalogLoaderFuzzTests
{
    private const string Source = "fuzz-catalog.yaml";

    private static readonly string[] CatalogKeys =
    [
        "version", "description", "remediations", "oom", "disk_full", "cert_expiry", "dependency_timeout", "connection_pool_exhausted", "unknown",
        "action", "confidence_floor", "auto", "params", "dry_run", "verify", "after", "timeout", "interval", "rate_limit", "max", "per",
        "shadow_period", "risk", "approval", "max_increase", "compress_older_than", "keep", "path", "pattern", "older_than", "script", "url",
    ];

    [Fact]
    public void MutatedCatalogs_LoadOrGiveLocatedErrors_NeverAnException() =>
        Fuzz.Check(YamlMutator.Mutated(Seeds.Catalogs(), CatalogKeys), yaml =>
        {
            var loader = Composition.CatalogLoader;
            var result = loader.Load(yaml, Source);

            result.IsValid.ShouldBe(result.Errors.Count == 0);
            foreach (var problem in result.Errors.Concat(result.Warnings))
            {
                var text = problem.ToString();
                problem.File.ShouldBe(Source);
                problem.Line.ShouldBeGreaterThan(0, text);
                problem.Column.ShouldBeGreaterThan(0, text);
                problem.Key.ShouldNotBeNullOrEmpty(text);
                text.ShouldNotContain(YamlMutator.Secret);
                text.ShouldNotContain('\n', "an error is one line");
                text.Any(c => char.IsControl(c) || c is '\u202e' or '\u2066').ShouldBeFalse($"control or bidirectional characters printed raw: {Fuzz.Show(text)}");
            }

            foreach (var spec in result.Catalog?.Remediations.Values ?? [])
            {
                spec.ConfidenceFloor.ShouldBeInRange(0, 1);
                if (spec.RateLimit is { } rate)
                {
                    rate.Max.ShouldBeGreaterThan(0);
                    rate.Per.Value.ShouldBeGreaterThan(TimeSpan.Zero);
                }

                if (spec.Verify is { } verify)
                {
                    verify.Timeout.Value.ShouldBeGreaterThanOrEqualTo(verify.After.Value);
                    verify.Interval.Value.ShouldBeGreaterThan(TimeSpan.Zero);
                }

                spec.Location.Line.ShouldBeGreaterThan(0);
            }

            var again = loader.Load(yaml, Source);
            again.Errors.Select(e => e.ToString()).ShouldBe(result.Errors.Select(e => e.ToString()));
            again.Catalog?.Version.ShouldBe(result.Catalog?.Version);
            (again.Catalog?.Remediations.Values.Select(s => s.SpecHash) ?? []).ShouldBe(result.Catalog?.Remediations.Values.Select(s => s.SpecHash) ?? []);
        }, cost: 3);
}

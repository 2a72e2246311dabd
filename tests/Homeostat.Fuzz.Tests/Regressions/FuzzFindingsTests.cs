using Homeostat.Configuration;
using Homeostat.Server;
using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace Homeostat.Fuzz.Tests.Regressions;

/// <summary>
/// Findings of the fuzz properties, each held as a plain test with the shrunk input, so it never depends on the fuzzer
/// drawing it again (design note 0017).
/// </summary>
public sealed class FuzzFindingsTests : IDisposable
{
    /// <summary>An unclosed flow mapping followed by more lines: YamlDotNet's scanner throws InvalidOperationException on it.</summary>
    private const string UnclosedFlowMapping = "probes:\n  - { name: app-logs\n  - { name: root-fs, kind: filesystem_usage }\nnotifiers:\n  webhook: { url: http://127.0.0.1:9 }\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("homeostat-fuzz-findings-").FullName;

    [Fact]
    public void Quote_ValueThatEscapingSpellsOut_EchoIsCappedAt90Characters()
    {
        // 200 control characters: each escapes to a six-character \uXXXX, so the 80-character cut alone echoed 480.
        var quoted = IntakeBounds.Quote(new string('\u0001', 200));

        quoted.Length.ShouldBeLessThanOrEqualTo(90 + "''...".Length);
        quoted.ShouldStartWith("'\\u0001");
        quoted.ShouldEndWith("...'");
    }

    [Fact]
    public void AlertmanagerLabelName_OfControlCharacters_ErrorEchoStaysShort()
    {
        var body = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\""
            + string.Concat(Enumerable.Repeat("\\u0007", 300)) + "\":\"x\"}}]}";

        var result = AlertmanagerWebhook.Parse(body);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldAllBe(error => (error.Value ?? string.Empty).Length <= 95);
    }

    [Fact]
    public void YamlScannerThrowsInvalidOperation_Precondition()
    {
        // What the fix guards against: if YamlDotNet stops throwing here, the tests below no longer exercise it.
        Should.Throw<InvalidOperationException>(() => new YamlStream().Load(new YamlDotNet.Core.Parser(new StringReader(UnclosedFlowMapping))));
    }

    [Fact]
    public void ConfigFile_TheScannerCannotParse_IsALocatedConfigError()
    {
        var path = Write(UnclosedFlowMapping);

        var exception = Should.Throw<ConfigFileException>(() => HomeostatComposition.BuildConfiguration(path));

        exception.Error.ShouldNotBeNull();
        exception.Error.File.ShouldBe(path);
        exception.Error.Key.ShouldBe("yaml");
        exception.Error.Line.ShouldBeGreaterThan(0);
        exception.Error.Message.ShouldStartWith("is not valid YAML");
    }

    [Fact]
    public void Validate_TheScannerCannotParse_ReportsALocatedError()
    {
        var path = Write(UnclosedFlowMapping);

        var errors = new ConfigValidator(new Dictionary<string, Type>()).ValidateKeys(path);

        var error = errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("yaml");
        error.File.ShouldBe(path);
        error.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void SignalText_WithARawLoneSurrogate_IsALocatedErrorNotAnException()
    {
        var parser = new SignalParser(new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero)));

        foreach (var body in new[] { "nu\udc00ll", "{\"source\":\"api\",\n\"title\":\"a\ud800\"}", "[{\"title\":\"\udfff\"}]" })
        {
            var result = parser.ParseDocument(body);
            var error = result.Errors.ShouldHaveSingleItem();
            error.Field.ShouldBe("$");
            error.Message.ShouldContain("lone surrogate at line");
            parser.ParseLines(body).IsValid.ShouldBeFalse();
        }

        parser.ParseDocument("{\"source\":\"api\",\n\"title\":\"a\ud800\"}").Errors[0].Message.ShouldContain("line 2, character 11");
    }

    [Fact]
    public void AlertmanagerText_WithARawLoneSurrogate_IsALocatedErrorNotAnException()
    {
        var result = AlertmanagerWebhook.Parse("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"\ud800\"}}]}");

        result.Errors.ShouldHaveSingleItem().Message.ShouldContain("lone surrogate");
    }

    [Fact]
    public void UnknownCatalogKey_IsReportedOnceWhereItIsWritten_NotAgainUnlocatedByTheClassifier()
    {
        // Long run of 2026-12-06, seed 3_ARdjY3lyt9 (shrunk): the classifier's options read the catalog's, so the binder
        // failed again and validate printed its raw message, without a line, under classifier.ensemble.
        File.WriteAllText(Path.Combine(_directory, "catalog.yaml"), Seeds.Catalogs()[0]);
        var path = Write("data: ./data\ncatalog:\n  xbto: 1\n  path: catalog.yaml\n");

        var problems = ConfigLoaderFuzzTests.Validate(path);

        var problem = problems.ShouldHaveSingleItem();
        problem.ToString().ShouldStartWith($"{path}:3:3: catalog.xbto: unknown key");
    }

    [Fact]
    public void CatalogPathOfTheWrongKind_IsReportedOnceWhereItIsWritten_NotAgainUnlocatedByTheClassifier()
    {
        // Long run of 2026-12-06, seed dslExxCQB4S1 (shrunk): a mapping where catalog.path wants a string made the
        // classifier's options fail to bind the catalog's, printed with no line ("Cannot create instance of type 'System.String'").
        var path = Write("data: ./data\ncatalog:\n  path: {a: {a: 1}}\n");

        var problems = ConfigLoaderFuzzTests.Validate(path);

        problems.ShouldNotBeEmpty();
        problems.ShouldAllBe(problem => problem.Line > 0);
        problems.ShouldAllBe(problem => problem.Key.StartsWith("catalog", StringComparison.Ordinal));
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, "homeostat.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

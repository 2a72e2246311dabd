using Homeostat.Catalog;
using Homeostat.Primitives;
using Homeostat.Remediation;

namespace Homeostat.Tests.Catalog;

public sealed class CatalogLoaderTests
{
    private const string Source = "test.yaml";

    private static CatalogLoader NewLoader() =>
        new(new ActionRegistry(KnownActions.Placeholders().Append(new UnavailableAction(KnownActions.RotateAndCompressLogs))));

    private static CatalogLoadResult Load(string yaml) => NewLoader().Load(yaml, Source);

    private static CatalogError SingleErrorFor(CatalogLoadResult result, string key)
    {
        result.IsValid.ShouldBeFalse();
        result.Catalog.ShouldBeNull();
        var matching = result.Errors.Where(e => e.Key == key).ToList();
        matching.Count.ShouldBe(1, $"expected one error for {key}; got:\n{string.Join("\n", result.Errors)}");
        return matching[0];
    }

    private static RemediationCatalog ValidCatalog(CatalogLoadResult result)
    {
        result.Errors.ShouldBeEmpty(string.Join("\n", result.Errors));
        result.Catalog.ShouldNotBeNull();
        return result.Catalog;
    }

    [Fact]
    public void LoadFile_SeedCatalog_LoadsFourClassesWithExactValues()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "testdata", "seed-catalog.yaml");

        var catalog = ValidCatalog(NewLoader().LoadFile(path));

        catalog.Source.ShouldBe(path);
        catalog.Remediations.Keys.Order(StringComparer.Ordinal).ShouldBe(["cert_expiry", "dependency_timeout", "disk_full", "oom"]);

        var oom = catalog.Find("oom").ShouldNotBeNull();
        oom.Action.ShouldBe("scale_memory_limit");
        oom.ConfidenceFloor.ShouldBe(0.85);
        oom.Auto.ShouldBeTrue();
        oom.Parameters.ByteSize("max_increase").ShouldBe(new ByteSize(512L * 1024 * 1024));
        oom.Location.ShouldBe(new SourceLocation(path, 3, 3));

        var disk = catalog.Find("disk_full").ShouldNotBeNull();
        disk.Action.ShouldBe("rotate_and_compress_logs");
        disk.ConfidenceFloor.ShouldBe(0.80);
        disk.Auto.ShouldBeTrue();

        var cert = catalog.Find("cert_expiry").ShouldNotBeNull();
        cert.Action.ShouldBe("trigger_cert_renewal");
        cert.ConfidenceFloor.ShouldBe(0.90);
        cert.Auto.ShouldBeTrue();

        var dependency = catalog.Find("dependency_timeout").ShouldNotBeNull();
        dependency.Action.ShouldBe("open_circuit_breaker");
        dependency.ConfidenceFloor.ShouldBe(1.0);
        dependency.Auto.ShouldBeFalse();
    }

    [Fact]
    public void LoadFile_SeedCatalog_FillsUnsetParametersWithTheActionDefaults()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "testdata", "seed-catalog.yaml");

        var catalog = ValidCatalog(NewLoader().LoadFile(path));

        var disk = catalog.Find("disk_full").ShouldNotBeNull();
        disk.Parameters.Integer("keep").ShouldBe(10L);
        disk.Parameters.Duration("compress_older_than").ShouldBe(Duration.Parse("1h"));
        disk.Parameters.String("pattern").ShouldBe("*.log*");
        catalog.Find("oom")!.Parameters.ByteSize("step").ShouldBe(ByteSize.Parse("256Mi"));
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsTheFileInsteadOfThrowing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"homeostat-missing-{Guid.NewGuid():N}.yaml");

        var result = NewLoader().LoadFile(path);

        var error = result.Errors.ShouldHaveSingleItem();
        error.File.ShouldBe(path);
        error.Key.ShouldBe("file");
        error.Message.ShouldStartWith("cannot be read");
        result.Catalog.ShouldBeNull();
    }

    [Fact]
    public void LoadBuiltIn_EmbeddedCatalog_LoadsWithVerifyAndParams()
    {
        var catalog = ValidCatalog(NewLoader().LoadBuiltIn());

        catalog.Source.ShouldBe(CatalogLoader.BuiltInSource);
        catalog.Version.ShouldStartWith("2026.11-builtin (sha256:");
        catalog.Remediations.Count.ShouldBe(4);
        var disk = catalog.Find("disk_full").ShouldNotBeNull();
        disk.Parameters.Integer("keep").ShouldBe(10L);
        disk.Parameters.Duration("compress_older_than").ShouldBe(Duration.Parse("1h"));
        disk.Verify.ShouldBe(new VerifySpec(Duration.Parse("30s"), Duration.Parse("5m"), Duration.Parse("15s")));
        catalog.Find("oom")!.Verify!.Timeout.ShouldBe(Duration.Parse("15m"));
    }

    [Fact]
    public void Load_MisspeltParameter_SuggestsTheRealNameAtItsLocation()
    {
        var result = Load("""
            remediations:
              oom:
                action: scale_memory_limit
                max_increse: 512Mi
                confidence_floor: 0.85
            """);

        var error = SingleErrorFor(result, "remediations.oom.max_increse");
        error.Message.ShouldContain("did you mean 'max_increase'");
        error.Value.ShouldBe("'512Mi'");
        (error.File, error.Line, error.Column).ShouldBe((Source, 4, 5));
        error.ToString().ShouldStartWith("test.yaml:4:5: remediations.oom.max_increse: ");
    }

    [Fact]
    public void Load_UnknownAction_SuggestsTheClosestRegisteredAction()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_log
                confidence_floor: 0.8
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.action");
        error.Message.ShouldContain("did you mean 'rotate_and_compress_logs'");
        error.Message.ShouldContain("known actions: open_circuit_breaker, rotate_and_compress_logs, scale_memory_limit, trigger_cert_renewal");
        error.Value.ShouldBe("'rotate_and_compress_log'");
        (error.Line, error.Column).ShouldBe((3, 13));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("high")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Load_ConfidenceFloorOutsideZeroToOne_IsRejectedWithValue(string floor)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: {floor}
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.confidence_floor");
        error.Message.ShouldBe("must be a number between 0 and 1");
        error.Value.ShouldBe($"'{floor}'");
        (error.Line, error.Column).ShouldBe((4, 23));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("0.5")]
    public void Load_ConfidenceFloorAtOrInsideBounds_IsAccepted(string floor)
    {
        var catalog = ValidCatalog(Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: {floor}
            """));

        catalog.Find("disk_full")!.ConfidenceFloor.ShouldBe(double.Parse(floor, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Load_RateLimitPerIsNotADuration_NamesTheKeyAndValue()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                rate_limit: { max: 3, per: an hour }
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.rate_limit.per");
        error.Message.ShouldContain("is not a duration");
        error.Value.ShouldBe("'an hour'");
        (error.Line, error.Column).ShouldBe((5, 32));
    }

    [Fact]
    public void Load_RateLimit_IsTyped()
    {
        var catalog = ValidCatalog(Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                rate_limit: { max: 2, per: 30m }
            """));

        catalog.Find("disk_full")!.RateLimit.ShouldBe(new RateLimitSpec(2, Duration.Parse("30m")));
    }

    [Theory]
    [InlineData("Bad-Name", "is not a valid class name")]
    [InlineData("unknown", "'unknown' always goes to a human")]
    [InlineData("9lives", "is not a valid class name")]
    public void Load_InvalidClassName_IsRejectedAtTheClassKey(string className, string expected)
    {
        var result = Load($"""
            remediations:
              {className}:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
            """);

        var error = SingleErrorFor(result, $"remediations.{className}");
        error.Message.ShouldContain(expected);
        error.Value.ShouldBe($"'{className}'");
        (error.Line, error.Column).ShouldBe((2, 3));
    }

    [Fact]
    public void Load_MissingAction_IsRequiredAtTheClass()
    {
        var result = Load("""
            remediations:
              disk_full:
                confidence_floor: 0.8
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.action");
        error.Message.ShouldStartWith("is required");
        (error.Line, error.Column).ShouldBe((2, 3));
    }

    [Fact]
    public void Load_MissingConfidenceFloor_IsRequiredAtTheClass()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                auto: true
            """);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("remediations.disk_full.confidence_floor");
        error.Message.ShouldStartWith("is required");
        (error.Line, error.Column).ShouldBe((2, 3));
        result.Catalog.ShouldBeNull();
    }

    [Fact]
    public void Load_MissingRequiredParameter_NamesTheParameterAndAction()
    {
        var result = Load("""
            remediations:
              oom:
                action: scale_memory_limit
                confidence_floor: 0.85
            """);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("remediations.oom.max_increase");
        error.Message.ShouldStartWith("is required by action 'scale_memory_limit'");
        (error.Line, error.Column).ShouldBe((2, 3));
    }

    [Fact]
    public void Load_ParameterBesideActionAndUnderParams_IsRejectedAsGivenTwice()
    {
        var result = Load("""
            remediations:
              oom:
                action: scale_memory_limit
                confidence_floor: 0.85
                max_increase: 512Mi
                params:
                  max_increase: 1Gi
            """);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("remediations.oom.params.max_increase");
        error.Message.ShouldContain("given twice");
        (error.Line, error.Column).ShouldBe((7, 7));
    }

    [Fact]
    public void Load_ParamsForm_IsAcceptedAndTyped()
    {
        var catalog = ValidCatalog(Load("""
            remediations:
              oom:
                action: scale_memory_limit
                confidence_floor: 0.85
                params:
                  max_increase: 1Gi
                  step: 128Mi
                  include_request: true
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                params:
                  keep: 3
                  compress_older_than: 90m
                  max_total_size: 100MB
            """));

        var oom = catalog.Find("oom")!.Parameters;
        oom.ByteSize("max_increase").ShouldBe(new ByteSize(1L << 30));
        oom.ByteSize("step").ShouldBe(new ByteSize(128L << 20));
        oom.Boolean("include_request").ShouldBe(true);
        var disk = catalog.Find("disk_full")!.Parameters;
        disk.Integer("keep").ShouldBe(3L);
        disk.Duration("compress_older_than").ShouldBe(new Duration(TimeSpan.FromMinutes(90)));
        disk.ByteSize("max_total_size").ShouldBe(new ByteSize(100_000_000));
    }

    [Fact]
    public void Load_UnknownParameterUnderParams_SuggestsTheRealName()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                params:
                  kepe: 3
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.params.kepe");
        error.Message.ShouldContain("did you mean 'keep'");
        (error.Line, error.Column).ShouldBe((6, 7));
    }

    [Theory]
    [InlineData("keep: many", "remediations.disk_full.keep", "must be a whole number", "'many'")]
    [InlineData("keep: -1", "remediations.disk_full.keep", "must be at least 0", "'-1'")]
    [InlineData("max_total_size: lots", "remediations.disk_full.max_total_size", "must be a size", "'lots'")]
    [InlineData("compress_older_than: soon", "remediations.disk_full.compress_older_than", "must be a duration", "'soon'")]
    [InlineData("pattern: ../../*", "remediations.disk_full.pattern", "must match", "'../../*'")]
    [InlineData("recursive: maybe", "remediations.disk_full.recursive", "must be true or false", "'maybe'")]
    public void Load_ParameterOfTheWrongType_IsRejectedWithValue(string line, string key, string message, string value)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                {line}
            """);

        var error = SingleErrorFor(result, key);
        error.Message.ShouldContain(message);
        error.Value.ShouldBe(value);
        error.Line.ShouldBe(5);
    }

    [Fact]
    public void Load_VerifyTimeoutShorterThanAfter_PointsAtTheTimeout()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                verify:
                  after: 5m
                  timeout: 1m
            """);

        var error = SingleErrorFor(result, "remediations.disk_full.verify.timeout");
        error.Message.ShouldBe("must not be shorter than verify.after (5m)");
        error.Value.ShouldBe("'1m'");
        (error.Line, error.Column).ShouldBe((7, 16));
    }

    [Theory]
    [InlineData("rate_limit: { max: 3, per: 0 }", "remediations.disk_full.rate_limit.per", 32)]
    [InlineData("verify: { after: 30s, timeout: 5m, interval: 0 }", "remediations.disk_full.verify.interval", 50)]
    public void Load_ZeroPeriod_PointsAtTheValue(string line, string key, int column)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                {line}
            """);

        var error = SingleErrorFor(result, key);
        error.Message.ShouldBe("must be longer than zero");
        (error.Line, error.Column).ShouldBe((5, column));
    }

    [Theory]
    [InlineData("verify: { after: 30s, timout: 5m }", "remediations.disk_full.verify.timout", "did you mean 'timeout'", 27)]
    [InlineData("rate_limit: { max: 3, pre: 1h }", "remediations.disk_full.rate_limit.pre", "did you mean 'per'", 27)]
    public void Load_UnknownKeyInsideVerifyOrRateLimit_SuggestsTheRealKey(string line, string key, string suggestion, int column)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                {line}
            """);

        var error = SingleErrorFor(result, key);
        error.Message.ShouldContain(suggestion);
        (error.Line, error.Column).ShouldBe((5, column));
    }

    [Theory]
    [InlineData("low", RiskLevel.Low)]
    [InlineData("high", RiskLevel.High)]
    public void Load_Risk_IsTyped(string risk, RiskLevel expected)
    {
        var catalog = ValidCatalog(Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                risk: {risk}
            """));

        catalog.Find("disk_full")!.Risk.ShouldBe(expected);
    }

    [Theory]
    [InlineData("extreme")]
    [InlineData("\"low, high\"")]
    [InlineData("\"2\"")]
    [InlineData("hIGH")]
    public void Load_RiskNotLowMediumOrHigh_IsRejected(string risk)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                risk: {risk}
            """);

        SingleErrorFor(result, "remediations.disk_full.risk").Message.ShouldBe("must be low, medium or high");
    }

    [Fact]
    public void Load_InvalidYamlSyntax_ReportsTheLineInsteadOfThrowing()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: [rotate_and_compress_logs
                confidence_floor: 0.8
            """);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("yaml");
        error.Message.ShouldStartWith("is not valid YAML: ");
        (error.File, error.Line, error.Column).ShouldBe((Source, 3, 13));
        result.Catalog.ShouldBeNull();
    }

    [Fact]
    public void Load_BadIndentation_ReportsTheLineAndColumn()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
               confidence_floor: 0.8
            """);

        var error = result.Errors.ShouldHaveSingleItem();
        error.Key.ShouldBe("yaml");
        error.Message.ShouldContain("did not find expected key");
        (error.Line, error.Column).ShouldBe((4, 4));
    }

    [Theory]
    [InlineData("confidence_floor: 0.5")]
    [InlineData("\"confidence_floor\": 0.5")]
    [InlineData("'confidence_floor': 0.5")]
    public void Load_DuplicateKey_IsAnErrorWithLocationNotAnException(string duplicate)
    {
        var result = Load($"""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                {duplicate}
            """);

        result.Catalog.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        error.File.ShouldBe(Source);
        error.Message.ShouldContain("Duplicate key confidence_floor");
        (error.Line, error.Column).ShouldBe((5, 5));
    }

    [Fact]
    public void Load_DuplicateClass_IsAnErrorWithLocation()
    {
        var result = Load("""
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.5
            """);

        result.Catalog.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        (error.Line, error.Column).ShouldBe((5, 3));
    }

    [Theory]
    [InlineData("[remediations]: {}")]
    [InlineData("{a: b}: c")]
    public void Load_NonScalarTopLevelKey_IsAnErrorNotAnException(string yaml)
    {
        var result = Load(yaml);

        result.Catalog.ShouldBeNull();
        result.Errors.ShouldNotBeEmpty();
        result.Errors.ShouldAllBe(e => e.File == Source && e.Line >= 1 && e.Column >= 1);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_SuggestsTheRealKey()
    {
        var result = Load("""
            remediation:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
            """);

        var error = SingleErrorFor(result, "remediation");
        error.Message.ShouldContain("did you mean 'remediations'");
        (error.Line, error.Column).ShouldBe((1, 1));
    }

    [Fact]
    public void Load_FileWithFourProblems_ReportsAllFourAtOnce()
    {
        var result = Load("""
            remediations:
              oom:
                action: scale_memory_limit
                max_increase: 512Mi
                confidence_floor: high
              cert_expiry:
                action: renew_everything_now
                confidence_floor: 0.9
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                rate_limit: { max: 3, per: often }
              Bad-Name:
                action: open_circuit_breaker
                confidence_floor: 1.0
            """);

        result.Catalog.ShouldBeNull();
        result.Errors.Select(e => (e.Key, e.Line)).ShouldBe(
        [
            ("remediations.oom.confidence_floor", 5),
            ("remediations.cert_expiry.action", 7),
            ("remediations.disk_full.rate_limit.per", 12),
            ("remediations.Bad-Name", 13),
        ], ignoreOrder: true);
    }

    [Fact]
    public void SpecHash_SameSpecWithDifferentFormattingAndComments_IsEqual()
    {
        var plain = Load("""
            remediations:
              oom:
                action: scale_memory_limit
                max_increase: 512Mi
                confidence_floor: 0.80
                auto: true
                verify: { after: 2m, timeout: 15m }
            """);
        var reformatted = Load("""
            # reviewed by the platform team
            remediations:
              oom: # memory
                confidence_floor: 0.8     # same number, written differently
                "action": 'scale_memory_limit'
                auto: true
                params: { max_increase: "536870912" }
                verify:
                  timeout: 15m
                  after: 120s
            """);

        ValidCatalog(plain).Find("oom")!.SpecHash.ShouldBe(ValidCatalog(reformatted).Find("oom")!.SpecHash);
    }

    [Theory]
    [InlineData("max_increase: 1Gi", "confidence_floor: 0.8")]
    [InlineData("max_increase: 512Mi", "confidence_floor: 0.81")]
    [InlineData("max_increase: 512Mi\n    step: 128Mi", "confidence_floor: 0.8")]
    public void SpecHash_ParameterOrFloorChanged_Differs(string parameters, string floor)
    {
        const string Template = """
            remediations:
              oom:
                action: scale_memory_limit
                {0}
                {1}
                auto: true
            """;
        var original = ValidCatalog(Load(string.Format(System.Globalization.CultureInfo.InvariantCulture, Template, "max_increase: 512Mi", "confidence_floor: 0.8")));
        var changed = ValidCatalog(Load(string.Format(System.Globalization.CultureInfo.InvariantCulture, Template, parameters, floor)));

        changed.Find("oom")!.SpecHash.ShouldNotBe(original.Find("oom")!.SpecHash);
    }

    // Found by the fuzzer (CatalogLoaderFuzzTests): only the quoted value was cleared of credentials, and a key was printed
    // with its control characters, so a misplaced URL leaked its password and an escape sequence reached the terminal.
    [Fact]
    public void Errors_QuotingAKeyWithCredentialsOrControlCharacters_HideTheCredentialsAndEscapeTheCharacters()
    {
        var result = Load("\"https://user:hunter2@example.com/hook\\e[31m\\u202e\": 1\nremediations: {}\n");

        var error = result.Errors.ShouldHaveSingleItem();
        error.ToString().ShouldBe("test.yaml:1:1: https://***@example.com/hook\\u001b[31m\\u202e: unknown top-level key");
    }

    // Found by the long fuzz run (seed 0XIGJmqqMMD1): an empty key was reported with no name at all.
    [Theory]
    [InlineData("\"\": 1\nremediations: {}\n", "test.yaml:1:1: '': unknown top-level key")]
    [InlineData("remediations:\n  oom:\n    action: scale_memory_limit\n    \"\": 1\n", "test.yaml:4:5: remediations.oom.''")]
    public void Errors_AnEmptyKey_IsNamedAsAnEmptyKey(string yaml, string expectedStart)
    {
        var result = Load(yaml);

        result.Errors.ShouldContain(e => e.ToString().StartsWith(expectedStart, StringComparison.Ordinal), string.Join("\n", result.Errors));
    }
}

using System.Text;
using Homeostat.Server.Access;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Server.Tests.Access;

public sealed class TokenStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-tokens-" + Guid.NewGuid().ToString("N"));

    public TokenStoreTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void NamedTokens_AuthenticateAsTheirNameAndRole_AndTheDefaultTokenIsAdmin()
    {
        var environment = UniqueVariable();
        Environment.SetEnvironmentVariable(environment, "am-secret");
        try
        {
            var options = Options(
                apiTokenFile: Write("default", "admin-secret\n"),
                new TokenOptions { Name = "alice", Role = "operator", File = Write("alice", "alice-secret") },
                new TokenOptions { Name = "am", Role = "INGEST", Env = environment });

            using var store = Store(options, new FakeTimeProvider());

            store.Authenticate("admin-secret").ShouldSatisfyAllConditions(t => t!.Name.ShouldBe("default"), t => t!.Role.ShouldBe(AccessRole.Admin));
            store.Authenticate("alice-secret").ShouldSatisfyAllConditions(t => t!.Name.ShouldBe("alice"), t => t!.Role.ShouldBe(AccessRole.Operator));
            store.Authenticate("am-secret").ShouldSatisfyAllConditions(t => t!.Name.ShouldBe("am"), t => t!.Role.ShouldBe(AccessRole.Ingest));
        }
        finally
        {
            Environment.SetEnvironmentVariable(environment, null);
        }
    }

    [Theory]
    [InlineData("alice-secreT")]
    [InlineData("alice-secre")]
    [InlineData("alice-secret ")]
    [InlineData("alice-secretx")]
    [InlineData("")]
    public void AToken_DifferingByOneByte_IsNotAccepted(string presented)
    {
        using var store = Store(Options(null, new TokenOptions { Name = "alice", Role = "operator", File = Write("alice", "alice-secret") }), new FakeTimeProvider());

        store.Authenticate(presented).ShouldBeNull();
    }

    [Fact]
    public void Authenticate_ComparesEveryTokenInConstantTime()
    {
        // What the constant-time path rests on: the SHA-256 of the presented token is compared with every token's hash,
        // never the token itself, so its length and the first differing byte tell nothing; a huge token is refused unhashed.
        using var store = Store(Options(null,
            new TokenOptions { Name = "a", Role = "viewer", File = Write("a", "first-token") },
            new TokenOptions { Name = "b", Role = "viewer", File = Write("b", "second-token") }), new FakeTimeProvider());

        store.Tokens.ShouldAllBe(t => t.Hash.Length == 32);
        store.Tokens.Select(t => t.Hash).ShouldNotContain(h => h.SequenceEqual(Encoding.UTF8.GetBytes("first-token")));
        store.Authenticate("second-token")!.Name.ShouldBe("b");
        store.Authenticate(new string('x', TokenSources.MaxTokenLength + 1)).ShouldBeNull();
    }

    [Fact]
    public void ARotatedFile_IsReadAgainAtTheInterval()
    {
        var file = Write("alice", "old-secret");
        var time = new FakeTimeProvider();
        using var store = Store(Options(null, new TokenOptions { Name = "alice", Role = "operator", File = file }), time);

        File.WriteAllText(file, "new-secret\n");
        time.Advance(TimeSpan.FromSeconds(29));
        var beforeInterval = store.Authenticate("new-secret");
        time.Advance(TimeSpan.FromSeconds(1));

        beforeInterval.ShouldBeNull();
        store.Authenticate("new-secret")!.Name.ShouldBe("alice");
        store.Authenticate("old-secret").ShouldBeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData(null)]
    public void AReloadThatFindsAnEmptyOrMissingFile_KeepsTheTokensInForce(string? content)
    {
        var file = Write("alice", "alice-secret");
        var time = new FakeTimeProvider();
        using var store = Store(Options(null, new TokenOptions { Name = "alice", Role = "operator", File = file }), time);

        if (content is null)
        {
            File.Delete(file);
        }
        else
        {
            File.WriteAllText(file, content);
        }

        time.Advance(TimeSpan.FromSeconds(30));

        store.Reload().ShouldBeFalse();
        store.Authenticate("alice-secret")!.Name.ShouldBe("alice");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\n")]
    public void AnEmptyTokenFile_IsAProblem_NeverNoToken(string content)
    {
        var read = TokenSources.Read(Options(Write("token", content)), _ => "an-env-token");

        read.Tokens.ShouldBeEmpty();
        read.Problems.ShouldHaveSingleItem().ShouldStartWith("server.api_token_file ");
        read.Problems[0].ShouldContain("is empty");
    }

    [Fact]
    public void MissingFileEmptyVariableBadRoleAndDuplicates_AreEachAProblemAtTheirKey()
    {
        var options = Options(null,
            new TokenOptions { Name = "a", Role = "operator", File = Path.Combine(_directory, "missing") },
            new TokenOptions { Name = "b", Role = "viewer", Env = "UNSET_VARIABLE" },
            new TokenOptions { Name = "c", Role = "root", File = Write("c", "c-secret") },
            new TokenOptions { Name = "d", Role = "viewer", File = Write("d", "same") },
            new TokenOptions { Name = "e", Role = "viewer", File = Write("e", "same") },
            new TokenOptions { Name = "d", Role = "viewer", File = Write("d2", "other") },
            new TokenOptions { Name = "f", Role = "viewer" },
            new TokenOptions { Name = "g", Role = "viewer", File = Write("g", "two\nlines") });

        var problems = TokenSources.Read(options, _ => null).Problems;

        problems.Count.ShouldBe(7, string.Join("\n", problems));
        problems[0].ShouldStartWith("server.tokens[0].file ");
        problems[0].ShouldContain("does not exist");
        problems[1].ShouldStartWith("server.tokens[1].env names UNSET_VARIABLE, which is not set");
        problems[2].ShouldStartWith("server.tokens[2].role must be one of viewer, ingest, operator, admin");
        problems[3].ShouldStartWith("server.tokens[4].file ");
        problems[3].ShouldContain("holds the same token as server.tokens[3].file");
        problems[4].ShouldStartWith("server.tokens[5].name 'd' is used twice");
        problems[5].ShouldStartWith("server.tokens[6] needs exactly one of file");
        problems[6].ShouldStartWith("server.tokens[7].file ");
    }

    [Theory]
    [InlineData(AccessRole.Viewer, AccessRight.Read, true)]
    [InlineData(AccessRole.Viewer, AccessRight.Ingest, false)]
    [InlineData(AccessRole.Viewer, AccessRight.Operate, false)]
    [InlineData(AccessRole.Ingest, AccessRight.Read, false)]
    [InlineData(AccessRole.Ingest, AccessRight.Ingest, true)]
    [InlineData(AccessRole.Ingest, AccessRight.Operate, false)]
    [InlineData(AccessRole.Operator, AccessRight.Read, true)]
    [InlineData(AccessRole.Operator, AccessRight.Ingest, false)]
    [InlineData(AccessRole.Operator, AccessRight.Operate, true)]
    [InlineData(AccessRole.Admin, AccessRight.Read, true)]
    [InlineData(AccessRole.Admin, AccessRight.Ingest, true)]
    [InlineData(AccessRole.Admin, AccessRight.Operate, true)]
    public void Roles_GrantTheirRightsOnly(AccessRole role, AccessRight right, bool granted) => role.Grants(right).ShouldBe(granted);

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer   abc  ", "abc")]
    [InlineData("Basic YWxlcnRtYW5hZ2VyOmFiYw==", "abc")]
    [InlineData("Basic YWxlcnRtYW5hZ2VyOg==", null)]
    [InlineData("Basic !!!", null)]
    [InlineData("Basic YWJj", null)]
    [InlineData("Bearer", null)]
    [InlineData("Bearer ", null)]
    [InlineData("Token abc", null)]
    [InlineData("abc", null)]
    [InlineData("", null)]
    public void TheAuthorizationHeader_CarriesTheTokenOnlyAsBearerOrBasicPassword(string header, string? token) =>
        AccessFilter.Presented(header).ShouldBe(token);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static TokenStore Store(ServerOptions options, TimeProvider time) =>
        new(Microsoft.Extensions.Options.Options.Create(options), time, NullLogger<TokenStore>.Instance);

    private static string UniqueVariable() => "HOMEOSTAT_TEST_TOKEN_" + Guid.NewGuid().ToString("N");

    private static ServerOptions Options(string? apiTokenFile, params TokenOptions[] tokens) =>
        new() { ApiTokenFile = apiTokenFile, ApiTokenEnv = UniqueVariable(), Tokens = [.. tokens] };

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}

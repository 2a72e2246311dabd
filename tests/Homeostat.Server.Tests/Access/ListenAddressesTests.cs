using Homeostat.Server.Access;

namespace Homeostat.Server.Tests.Access;

public sealed class ListenAddressesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8088", true)]
    [InlineData("http://127.0.0.1:8088/", true)]
    [InlineData("https://127.0.0.1:8443", true)]
    [InlineData("http://localhost:8088", true)]
    [InlineData("http://LOCALHOST:8088/", true)]
    [InlineData("http://[::1]:8088", true)]
    [InlineData("http://[::1]:8088/", true)]
    [InlineData("http://127.0.0.2:8088", true)]
    [InlineData("http://unix:/run/homeostat.sock", true)]
    [InlineData("http://0.0.0.0:8088", false)]
    [InlineData("http://0.0.0.0:8088/", false)]
    [InlineData("http://*:8088", false)]
    [InlineData("http://+:8088", false)]
    [InlineData("http://[::]:8088", false)]
    [InlineData("http://10.0.0.5:8088", false)]
    [InlineData("http://homeostat.example:8088", false)]
    [InlineData("http://localhost.example:8088", false)]
    [InlineData("http://127.0.0.1.nip.io:8088", false)]
    [InlineData("http://[fe80::1]:8088", false)]
    public void EachUrl_IsLocalOnlyExactlyWhenOnlyThisMachineCanReachIt(string url, bool localOnly)
    {
        var problems = new List<string>();

        var addresses = ListenAddresses.Parse(url, problems);

        problems.ShouldBeEmpty();
        addresses.ShouldHaveSingleItem().IsLocalOnly.ShouldBe(localOnly);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8088/;http://0.0.0.0:9099", "http://0.0.0.0:9099")]
    [InlineData("http://localhost:8088/;http://*:9099", "http://*:9099")]
    [InlineData("http://127.0.0.1:8088; http://[::]:9099 ;", "http://[::]:9099")]
    [InlineData("http://0.0.0.0:8088;http://127.0.0.1:9099", "http://0.0.0.0:8088")]
    public void SeveralUrls_AreCheckedEachOnItsOwn(string listen, string open)
    {
        var problems = new List<string>();

        var addresses = ListenAddresses.Parse(listen, problems);

        problems.ShouldBeEmpty();
        addresses.Count.ShouldBe(2);
        ListenAddresses.BeyondLoopback(addresses).ShouldHaveSingleItem().Url.ShouldBe(open);
    }

    [Theory]
    [InlineData("")]
    [InlineData(";")]
    [InlineData("127.0.0.1:8088")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("http://127.0.0.1:8088/api")]
    [InlineData("http://[::1:8088")]
    [InlineData("http://user:pw@127.0.0.1:8088")]
    public void Malformed_IsAProblemNamingTheSetting(string listen)
    {
        var problems = new List<string>();

        ListenAddresses.Parse(listen, problems);

        problems.ShouldHaveSingleItem().ShouldStartWith("server.listen ");
        problems[0].ShouldNotContain("pw");
    }

    [Theory]
    [InlineData("http://127.0.0.1:0/;http://0.0.0.0:0")]
    [InlineData("http://localhost:0/;http://*:0")]
    public void Validator_RefusesAnyUrlBeyondLoopbackWithoutAToken(string listen)
    {
        var options = new ServerOptions { Listen = listen, ApiTokenEnv = "HOMEOSTAT_TEST_TOKEN_NEVER_SET_" + Guid.NewGuid().ToString("N") };

        var result = new ServerOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures!.ShouldHaveSingleItem().ShouldContain("is reachable from other hosts but no API token is set");
    }
}

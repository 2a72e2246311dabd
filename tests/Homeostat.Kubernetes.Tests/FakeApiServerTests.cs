using System.Net;
using System.Text;

namespace Homeostat.Kubernetes.Tests;

/// <summary>The fake follows the real API where the actions depend on it.</summary>
public sealed class FakeApiServerTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    private string Deployment => $"{_cluster.Server.Url}/apis/apps/v1/namespaces/shop/deployments/checkout";

    private Task<HttpResponseMessage> Patch(string url, string body, string contentType) =>
        _http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent(body, Encoding.UTF8, contentType) });

    [Fact]
    public async Task Patch_UnknownContentType_Gets415()
    {
        var response = await Patch(Deployment, "{}", "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"reason\":\"UnsupportedMediaType\"");
    }

    [Fact]
    public async Task Patch_StaleResourceVersion_Gets409Conflict()
    {
        var response = await Patch(Deployment, """{"metadata":{"resourceVersion":"1"},"spec":{"replicas":9}}""", "application/merge-patch+json");

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("the object has been modified");
        _cluster.Checkout.Spec.Replicas.ShouldBe(2);
    }

    [Fact]
    public async Task Put_StaleResourceVersion_Gets409Conflict()
    {
        var current = _cluster.Checkout;
        current.Metadata.ResourceVersion = "1";
        var response = await _http.PutAsync(Deployment, new StringContent(k8s.KubernetesJson.Serialize(current), Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Patch_JsonPatch_ReplacesTheValue()
    {
        var response = await Patch(Deployment, """[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":5}]""", "application/json-patch+json");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _cluster.Checkout.Spec.Replicas.ShouldBe(5);
        _cluster.Checkout.Metadata.Generation.ShouldBe(2);
    }

    [Fact]
    public async Task Patch_WrongType_Gets422Invalid()
    {
        var response = await Patch(Deployment, """{"spec":{"replicas":"many"}}""", "application/merge-patch+json");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        _cluster.Checkout.Spec.Replicas.ShouldBe(2);
    }

    [Fact]
    public async Task Get_Missing_Gets404StatusLikeTheRealServer()
    {
        var response = await _http.GetAsync($"{_cluster.Server.Url}/apis/apps/v1/namespaces/shop/deployments/nope");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("\"kind\":\"Status\"");
        body.ShouldContain("\"status\":\"Failure\"");
        body.ShouldContain("\"reason\":\"NotFound\"");
        body.ShouldContain("""deployments.apps \"nope\" not found""");
    }

    [Fact]
    public async Task Patch_DryRunOtherThanAll_Gets400()
    {
        var response = await Patch(Deployment + "?dryRun=Some", "{}", "application/merge-patch+json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private string DestinationRules => $"{_cluster.Server.Url}/apis/networking.istio.io/v1beta1/namespaces/shop/destinationrules";

    private const string Rule = """{"apiVersion":"networking.istio.io/v1beta1","kind":"DestinationRule","metadata":{"name":"r1","namespace":"shop"},"spec":{"host":"checkout.shop.svc.cluster.local"}}""";

    [Fact]
    public async Task Post_NameTaken_Gets409AlreadyExists()
    {
        (await _http.PostAsync(DestinationRules, new StringContent(Rule, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await _http.PostAsync(DestinationRules, new StringContent(Rule, Encoding.UTF8, "application/json"));

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("\"reason\":\"AlreadyExists\"");
        _cluster.Server.Requests.Select(r => r.Verb).ShouldBe(["create", "create"]);
    }

    [Fact]
    public async Task Post_DryRun_StoresNothing()
    {
        var response = await _http.PostAsync(DestinationRules + "?dryRun=All", new StringContent(Rule, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        _cluster.Server.GetJson("destinationrules", "shop", "r1").ShouldBeNull();
    }

    [Fact]
    public async Task PatchStatus_ChangesStatusOnly()
    {
        var url = $"{_cluster.Server.Url}/apis/cert-manager.io/v1/namespaces/shop/certificates/api-tls/status";

        var response = await Patch(url, """{"spec":{"secretName":"other"},"status":{"notAfter":"2027-01-01T00:00:00Z"}}""", "application/merge-patch+json");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = _cluster.Server.GetJson("certificates", "shop", "api-tls")!;
        stored["status"]!["notAfter"]!.GetValue<string>().ShouldBe("2027-01-01T00:00:00Z");
        stored["spec"]!["secretName"]!.GetValue<string>().ShouldBe("api-tls");
        _cluster.Server.Requests.ShouldHaveSingleItem().Resource.ShouldBe("certificates/status");
    }
}

/// <summary>The fake's lists and watches on the wire, read with a plain HTTP client, as the real API server writes them.</summary>
public sealed class FakeApiServerWatchTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task List_NamespacedAndAllNamespaces_CarriesTheCurrentResourceVersion()
    {
        var list = System.Text.Json.Nodes.JsonNode.Parse(await _http.GetStringAsync(new Uri($"{_cluster.Server.Url}/api/v1/namespaces/shop/pods")))!;
        list["kind"]!.GetValue<string>().ShouldBe("PodList");
        list["metadata"]!["resourceVersion"]!.GetValue<string>().ShouldBe(_cluster.Server.CurrentResourceVersion);
        list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ShouldBe(["checkout-7d9f-x2k4p", "db-0", "debug"]);

        var all = System.Text.Json.Nodes.JsonNode.Parse(await _http.GetStringAsync(new Uri($"{_cluster.Server.Url}/api/v1/pods?labelSelector=app%3Ddb")))!;
        all["items"]!.AsArray().ShouldHaveSingleItem()!["metadata"]!["name"]!.GetValue<string>().ShouldBe("db-0");
    }

    [Fact]
    public async Task Watch_FromAVersion_StreamsLaterChangesAsNewlineDelimitedEvents()
    {
        var from = _cluster.Server.CurrentResourceVersion;
        _cluster.Server.Modify<k8s.Models.V1Pod>("shop", "debug", p => p.Metadata.Annotations = new Dictionary<string, string> { ["a"] = "b" });
        using var response = await _http.GetAsync(new Uri($"{_cluster.Server.Url}/api/v1/namespaces/shop/pods?watch=true&resourceVersion={from}"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = System.Text.Json.Nodes.JsonNode.Parse((await reader.ReadLineAsync())!)!;
        first["type"]!.GetValue<string>().ShouldBe("MODIFIED");
        first["object"]!["metadata"]!["name"]!.GetValue<string>().ShouldBe("debug");

        _cluster.Server.ExpireResourceVersions(FakeApiServer.GoneStyle.InStream);
        _cluster.Server.DropWatches();
        (await reader.ReadLineAsync()).ShouldBeNull("a dropped watch ends the stream");

        using var gone = await _http.GetAsync(new Uri($"{_cluster.Server.Url}/api/v1/namespaces/shop/pods?watch=true&resourceVersion={from}"));
        var error = System.Text.Json.Nodes.JsonNode.Parse((await gone.Content.ReadAsStringAsync()).Trim())!;
        error["type"]!.GetValue<string>().ShouldBe("ERROR");
        error["object"]!["code"]!.GetValue<int>().ShouldBe(410);

        _cluster.Server.ExpireResourceVersions(FakeApiServer.GoneStyle.Http);
        using var goneHttp = await _http.GetAsync(new Uri($"{_cluster.Server.Url}/api/v1/namespaces/shop/pods?watch=true&resourceVersion={from}"));
        ((int)goneHttp.StatusCode).ShouldBe(410);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Server.Tests.Access;

/// <summary>Every role against every class of endpoint, through the real HTTP host.</summary>
public sealed class AccessEndToEndTests : IDisposable
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["vera"] = "viewer-secret-1",
        ["am"] = "ingest-secret-2",
        ["alice"] = "operator-secret-3",
        ["root"] = "admin-secret-4",
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-access-" + Guid.NewGuid().ToString("N"));

    public AccessEndToEndTests() => Directory.CreateDirectory(_directory);

    private static IEnumerable<(string Class, HttpMethod Method, string Path, string? Body)> Endpoints =>
    [
        ("read", HttpMethod.Get, "/api/v1/incidents", null),
        ("read", HttpMethod.Get, "/api/v1/incidents/inc-none", null),
        ("read", HttpMethod.Get, "/api/v1/audit", null),
        ("read", HttpMethod.Get, "/api/v1/catalog", null),
        ("read", HttpMethod.Get, "/api/v1/suspensions", null),
        ("read", HttpMethod.Get, "/api/v1/approvals", null),
        ("ingest", HttpMethod.Post, "/api/v1/signals", """{"source": "api", "title": "x"}"""),
        ("ingest", HttpMethod.Post, "/api/v1/alertmanager", ServerHarness.TestData("alertmanager-firing.json")),
        ("operate", HttpMethod.Post, "/api/v1/suspensions/resume", """{"service": "checkout", "class": "disk_full"}"""),
        ("operate", HttpMethod.Post, "/api/v1/remediations/disk_full/promote", null),
        ("operate", HttpMethod.Post, "/api/v1/approvals/inc-none/approve", null),
        ("operate", HttpMethod.Post, "/api/v1/approvals/inc-none/reject", null),
        ("operate", HttpMethod.Post, "/api/v1/incidents/inc-none/resolve", null),
        ("operate", HttpMethod.Post, "/api/v1/incidents/inc-none/label", """{"class": "disk_full"}"""),
    ];

    [Fact]
    public async Task EachRole_ReachesExactlyItsEndpoints_AndNoTokenReachesNone()
    {
        await using var server = await StartAsync();
        var granted = new Dictionary<string, string[]>
        {
            ["vera"] = ["read"],
            ["am"] = ["ingest"],
            ["alice"] = ["read", "operate"],
            ["root"] = ["read", "ingest", "operate"],
        };
        var wrong = new List<string>();

        foreach (var (endpointClass, method, path, body) in Endpoints)
        {
            using var anonymous = await SendAsync(server, method, path, body, token: null);
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
            {
                wrong.Add($"no token: {method} {path} answered {(int)anonymous.StatusCode}, not 401");
            }

            foreach (var (name, classes) in granted)
            {
                using var response = await SendAsync(server, method, path, body, Secrets[name]);
                var status = response.StatusCode;
                if (classes.Contains(endpointClass) ? status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError : status != HttpStatusCode.Forbidden)
                {
                    wrong.Add($"{name}: {method} {path} answered {(int)status}");
                }

                if (status == HttpStatusCode.Forbidden)
                {
                    var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                    response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
                    problem.GetProperty("detail").GetString()!.ShouldContain($"the token '{name}' has the role");
                    problem.GetProperty("detail").GetString()!.ShouldContain(endpointClass switch
                    {
                        "read" => "needs the role viewer, operator or admin",
                        "ingest" => "needs the role ingest or admin",
                        _ => "needs the role operator or admin",
                    });
                }
            }
        }

        wrong.ShouldBeEmpty();
        foreach (var probe in new[] { "/healthz", "/readyz" })
        {
            using var response = await server.Client.GetAsync(probe);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, probe);
        }
    }

    [Fact]
    public async Task AnOperatorAnswer_RecordsTheTokensNameAsTheActor_TheStatedByAsAComment_AndTheNote()
    {
        var catalog = Write("catalog.yaml", """
            remediations:
              disk_full:
                action: rotate_and_compress_logs
                confidence_floor: 0.8
                auto: true
                approval: required
            """);
        await using var server = await StartAsync(new Dictionary<string, string?> { ["Catalog:Path"] = catalog });
        using var firing = await SendAsync(server, HttpMethod.Post, "/api/v1/alertmanager", ServerHarness.TestData("alertmanager-disk-firing.json"), Secrets["am"]);
        var incidentId = (await firing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        await WaitForStateAsync(server, incidentId, "pending_approval");

        using var approved = await SendAsync(server, HttpMethod.Post, $"/api/v1/approvals/{incidentId}/approve", """{"by": "frank", "note": "disk migration finished"}""", Secrets["alice"]);
        using var history = await SendAsync(server, HttpMethod.Get, $"/api/v1/audit?incident={incidentId}&type=approval_answered", null, Secrets["vera"]);
        var answer = (await history.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records").EnumerateArray().Single();

        approved.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.GetProperty("actor").GetString().ShouldBe("alice");
        answer.GetProperty("payload").GetProperty("by").GetString().ShouldBe("alice");
        answer.GetProperty("payload").GetProperty("statedBy").GetString().ShouldBe("frank");
        answer.GetProperty("payload").GetProperty("note").GetString().ShouldBe("disk migration finished");
        answer.GetProperty("summary").GetString()!.ShouldStartWith("alice (stated by: frank) approved rotate_and_compress_logs: disk migration finished");
    }

    [Fact]
    public async Task AResolveAndALabel_AreAttributedToTheToken_NotToTheByField()
    {
        await using var server = await StartAsync();
        using var opened = await SendAsync(server, HttpMethod.Post, "/api/v1/signals", """{"source": "api", "service": "checkout", "title": "disk"}""", Secrets["root"]);
        var incidentId = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;

        using var labelled = await SendAsync(server, HttpMethod.Post, $"/api/v1/incidents/{incidentId}/label", """{"class": "disk_full", "by": "root"}""", Secrets["alice"]);
        using var resolved = await SendAsync(server, HttpMethod.Post, $"/api/v1/incidents/{incidentId}/resolve", """{"by": "mallory", "note": "fixed by hand"}""", Secrets["alice"]);
        using var history = await SendAsync(server, HttpMethod.Get, $"/api/v1/audit?incident={incidentId}", null, Secrets["alice"]);
        var records = (await history.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records").EnumerateArray().ToList();

        labelled.StatusCode.ShouldBe(HttpStatusCode.OK);
        resolved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var label = records.Single(r => r.GetProperty("type").GetString() == "labelled");
        var resolution = records.Single(r => r.GetProperty("type").GetString() == "resolved");
        label.GetProperty("actor").GetString().ShouldBe("alice");
        label.GetProperty("payload").GetProperty("statedBy").GetString().ShouldBe("root");
        resolution.GetProperty("actor").GetString().ShouldBe("alice");
        resolution.GetProperty("payload").GetProperty("statedBy").GetString().ShouldBe("mallory");
        resolution.GetProperty("payload").GetProperty("note").GetString().ShouldBe("fixed by hand");
    }

    [Fact]
    public async Task ARotatedTokenFile_IsAcceptedWithoutARestart_AndTheOldTokenNoLonger()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(configure: s => s.AddSingleton<TimeProvider>(time));
        var file = Path.Combine(_directory, "alice");

        await File.WriteAllTextAsync(file, "operator-secret-rotated\n");
        time.Advance(TimeSpan.FromSeconds(30));
        using var rotated = await SendAsync(server, HttpMethod.Get, "/api/v1/incidents", null, "operator-secret-rotated");
        using var old = await SendAsync(server, HttpMethod.Get, "/api/v1/incidents", null, Secrets["alice"]);

        rotated.StatusCode.ShouldBe(HttpStatusCode.OK);
        old.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

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

    private static async Task<HttpResponseMessage> SendAsync(ServerHarness server, HttpMethod method, string path, string? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await server.Client.SendAsync(request);
    }

    private static async Task WaitForStateAsync(ServerHarness server, string incidentId, string state)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            using var response = await SendAsync(server, HttpMethod.Get, $"/api/v1/incidents/{incidentId}", null, Secrets["vera"]);
            if ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incident").GetProperty("state").GetString() == state)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"incident {incidentId} never became {state}");
    }

    private Task<ServerHarness> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var overrides = new Dictionary<string, string?>(settings ?? []);
        var roles = new Dictionary<string, string> { ["vera"] = "viewer", ["am"] = "ingest", ["alice"] = "operator", ["root"] = "admin" };
        var index = 0;
        foreach (var (name, role) in roles)
        {
            overrides[$"Server:Tokens:{index}:Name"] = name;
            overrides[$"Server:Tokens:{index}:Role"] = role;
            overrides[$"Server:Tokens:{index}:File"] = Write(name, Secrets[name] + "\n");
            index++;
        }

        return ServerHarness.StartAsync(settings: overrides, configure: configure);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}

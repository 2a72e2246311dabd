using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Homeostat.TestKit;
using Homeostat.Verification;

namespace Homeostat.Server.Tests;

/// <summary>
/// A class the catalog declares and the classifiers know nothing of, acting for real through the whole service: an
/// Alertmanager notification over HTTP, the declared classification, the guardrails, the real webhook action calling a
/// runbook endpoint, verification, and the audit trail citing the declaration's file and line.
/// </summary>
public sealed class DeclaredClassEndToEndTests : IDisposable
{
    private const string CatalogYaml = """
        version: "e2e"
        classes:
          crashloop:
            description: a pod restarting over and over; a runbook job restarts its deployment
            match:
              - ['alertname="KubePodCrashLooping"', 'namespace=~"shop|payments"']
        remediations:
          crashloop:
            action: webhook
            endpoint: runbook
            body: '{"job": "restart-deployment", "namespace": "{{label.namespace}}", "pod": "{{label.pod}}"}'
            confidence_floor: 1.0
            auto: true
            verify: { after: 1s, timeout: 30s, interval: 1s }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-declared-" + Guid.NewGuid().ToString("N"));
    private readonly StubHttpServer _runbook = new();

    public DeclaredClassEndToEndTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task DeclaredCustomClass_AlertmanagerAlert_IsClassifiedDeclaredAndTheWebhookActionRuns()
    {
        var catalog = Path.Combine(_directory, "catalog.yaml");
        await File.WriteAllTextAsync(catalog, CatalogYaml);
        await using var server = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Catalog:Path"] = catalog,
            ["Actions:Webhook:Endpoints:runbook:Url"] = _runbook.Url + "/api/jobs/restart",
        });
        server.Verifier.AlwaysReturns(VerificationStatus.Cleared, "the pod stopped restarting");

        using var response = await server.PostAsync("/api/v1/alertmanager", Notification());
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var incidentId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        var document = await WaitForStateAsync(server, incidentId, "remediated");

        var classification = document.GetProperty("classification");
        classification.GetProperty("class").GetString().ShouldBe("crashloop");
        classification.GetProperty("confidence").GetDouble().ShouldBe(1.0);
        classification.GetProperty("classifier").GetString().ShouldBe("declared");
        classification.GetProperty("reasoning").GetString()
            .ShouldBe($"declared by {catalog}:6 alertname=\"KubePodCrashLooping\", namespace=~\"shop|payments\"");

        var call = _runbook.Requests.ShouldHaveSingleItem();
        (call.Method, call.Path).ShouldBe(("POST", "/api/jobs/restart"));
        var body = JsonDocument.Parse(call.Body).RootElement;
        (body.GetProperty("job").GetString(), body.GetProperty("namespace").GetString(), body.GetProperty("pod").GetString())
            .ShouldBe(("restart-deployment", "shop", "api-7d9f"));

        var audit = (await server.GetJsonAsync($"/api/v1/audit?incident={incidentId}&limit=100")).GetProperty("records").EnumerateArray().ToList();
        var types = audit.Select(r => r.GetProperty("type").GetString()).ToList();
        types.ShouldContain("action_executed");
        types.ShouldNotContain("dry_run");
        var classified = audit.Single(r => r.GetProperty("type").GetString() == "classified");
        classified.GetProperty("summary").GetString().ShouldBe(
            $"classified as crashloop with confidence 1.00 by declared: declared by {catalog}:6 alertname=\"KubePodCrashLooping\", namespace=~\"shop|payments\"");
        classified.GetProperty("payload").GetProperty("evidence")[0].GetString().ShouldBe($"{catalog}:6 alertname=\"KubePodCrashLooping\", namespace=~\"shop|payments\"");
        audit.ShouldContain(r => r.GetProperty("type").GetString() == "guardrail"
            && r.GetProperty("summary").GetString()!.Contains("confidence 1.00 against floor 1.00 is high enough", StringComparison.Ordinal));

        var declared = (await server.GetJsonAsync("/api/v1/catalog")).GetProperty("declared").EnumerateArray().ShouldHaveSingleItem();
        declared.GetProperty("class").GetString().ShouldBe("crashloop");
        declared.GetProperty("match").EnumerateArray().Select(m => m.GetString()).ShouldBe(["alertname=\"KubePodCrashLooping\"", "namespace=~\"shop|payments\""]);
        declared.GetProperty("location").GetString().ShouldStartWith($"{catalog}:6:");
        declared.GetProperty("notifyOnly").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task DeclaredCustomClass_OutsideTheDeclaredNamespaces_IsNotDeclaredAndNothingRuns()
    {
        var catalog = Path.Combine(_directory, "catalog.yaml");
        await File.WriteAllTextAsync(catalog, CatalogYaml);
        await using var server = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Catalog:Path"] = catalog,
            ["Actions:Webhook:Endpoints:runbook:Url"] = _runbook.Url + "/api/jobs/restart",
        });

        using var response = await server.PostAsync("/api/v1/alertmanager", Notification(@namespace: "search"));
        var incidentId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("incidentId").GetString()!;
        var document = await server.WaitForDecisionAsync(incidentId);

        document.GetProperty("incident").GetProperty("state").GetString().ShouldBe("escalated");
        document.GetProperty("classification").GetProperty("classifier").GetString().ShouldNotBe("declared");
        _runbook.Requests.ShouldBeEmpty();
    }

    public void Dispose()
    {
        _runbook.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<JsonElement> WaitForStateAsync(ServerHarness server, string incidentId, string state)
    {
        var document = await server.WaitForDecisionAsync(incidentId);
        for (var attempt = 0; attempt < 300 && document.GetProperty("incident").GetProperty("state").GetString() != state; attempt++)
        {
            await Task.Delay(50);
            document = await server.GetJsonAsync($"/api/v1/incidents/{incidentId}");
        }

        document.GetProperty("incident").GetProperty("state").GetString().ShouldBe(state, document.ToString());
        return document;
    }

    private static string Notification(string @namespace = "shop")
    {
        var labels = new JsonObject
        {
            ["alertname"] = "KubePodCrashLooping",
            ["namespace"] = @namespace,
            ["pod"] = "api-7d9f",
            ["container"] = "api",
            ["severity"] = "warning",
        };
        var alert = new JsonObject
        {
            ["status"] = "firing",
            ["labels"] = labels,
            ["annotations"] = new JsonObject { ["summary"] = $"Pod {@namespace}/api-7d9f ({{container api}}) is in waiting state (reason: CrashLoopBackOff)." },
            ["startsAt"] = "2026-11-28T03:00:00Z",
            ["endsAt"] = "0001-01-01T00:00:00Z",
            ["generatorURL"] = "http://prometheus:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Breason%3D%22CrashLoopBackOff%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1",
            ["fingerprint"] = "c7a1e0d4b3f20001",
        };
        return new JsonObject
        {
            ["receiver"] = "homeostat",
            ["status"] = "firing",
            ["alerts"] = new JsonArray(alert),
            ["groupLabels"] = new JsonObject { ["alertname"] = "KubePodCrashLooping" },
            ["commonLabels"] = labels.DeepClone(),
            ["commonAnnotations"] = new JsonObject(),
            ["externalURL"] = "http://alertmanager:9093",
            ["version"] = "4",
            ["groupKey"] = "{}:{alertname=\"KubePodCrashLooping\"}",
            ["truncatedAlerts"] = 0,
        }.ToJsonString();
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeostat.Kubernetes.Tests;

/// <summary>One request the fake API server saw, with the RBAC verb and resource it needs.</summary>
public sealed record ApiRequest(string Method, string Verb, string ApiGroup, string Resource, string? Namespace, string Name, bool DryRun, string? ContentType, int Status);

/// <summary>
/// An in-process Kubernetes API server on Kestrel (127.0.0.1, a free port) that follows the real API for the calls the actions
/// make: the real paths, GET/PATCH/PUT/DELETE, the three patch content types (others get 415), resourceVersion optimistic
/// concurrency (409), <c>dryRun=All</c> (validated, never persisted), scriptable 403 Forbidden per verb and resource, and
/// Status bodies shaped like the real server's. Objects are stored as JSON written by <see cref="KubernetesJson"/>.
/// What it does not implement is listed in README.md beside this file.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private sealed record ResourceType(string Group, string ApiVersion, string Kind, bool Namespaced, bool HasScale, bool HasStatus = false, bool Custom = false)
    {
        /// <summary>The resource name in the path and in RBAC when the key differs (metrics.k8s.io's PodMetrics are "pods").</summary>
        public string? PathName { get; init; }
    }

    private static readonly Dictionary<string, ResourceType> Resources = new(StringComparer.Ordinal)
    {
        ["pods"] = new("", "v1", "Pod", true, false),
        ["events"] = new("", "v1", "Event", true, false),
        ["nodes"] = new("", "v1", "Node", false, false),
        ["deployments"] = new("apps", "apps/v1", "Deployment", true, true),
        ["statefulsets"] = new("apps", "apps/v1", "StatefulSet", true, true),
        ["replicasets"] = new("apps", "apps/v1", "ReplicaSet", true, true),
        ["daemonsets"] = new("apps", "apps/v1", "DaemonSet", true, false),
        ["certificates"] = new("cert-manager.io", "cert-manager.io/v1", "Certificate", true, false, HasStatus: true, Custom: true),
        ["destinationrules"] = new("networking.istio.io", "networking.istio.io/v1beta1", "DestinationRule", true, false, Custom: true),
        ["podmetrics"] = new("metrics.k8s.io", "metrics.k8s.io/v1beta1", "PodMetrics", true, false, Custom: true) { PathName = "pods" },
    };

    private static readonly Dictionary<Type, string> ResourceOfType = new()
    {
        [typeof(V1Pod)] = "pods",
        [typeof(Corev1Event)] = "events",
        [typeof(V1Node)] = "nodes",
        [typeof(V1Deployment)] = "deployments",
        [typeof(V1StatefulSet)] = "statefulsets",
        [typeof(V1ReplicaSet)] = "replicasets",
        [typeof(V1DaemonSet)] = "daemonsets",
    };

    private const string StrategicMergePatch = "application/strategic-merge-patch+json";
    private const string MergePatch = "application/merge-patch+json";
    private const string JsonPatch = "application/json-patch+json";

    private static readonly JsonSerializerOptions WireFormat = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly HashSet<(string Verb, string Resource)> _forbidden = [];
    private readonly Dictionary<(string Verb, string Resource), int> _failing = [];
    private readonly List<ApiRequest> _requests = [];
    private long _resourceVersion = 1000;
    private int _conflictsToInject;
    private readonly List<(long ResourceVersion, string Resource, string Type, JsonObject Object)> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly List<(string Resource, string ResourceVersion)> _watchesFrom = [];
    private long _compactedBelow;
    private GoneStyle _goneStyle;
    private bool _stopping;

    private FakeApiServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public IReadOnlyList<ApiRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Writes (POST, PATCH, PUT, DELETE without dryRun) that were persisted.</summary>
    public IReadOnlyList<ApiRequest> PersistedWrites => Requests.Where(r => r.Verb is not ("get" or "list" or "watch") && !r.DryRun && r.Status is >= 200 and < 300).ToList();

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Url });

    /// <summary>Stores an object as if created: kind, apiVersion, uid, resourceVersion and generation are filled in.</summary>
    public void Seed<T>(T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var resource = ResourceOfType[typeof(T)];
        var type = Resources[resource];
        var node = JsonNode.Parse(KubernetesJson.Serialize(item))!.AsObject();
        node["apiVersion"] = type.ApiVersion;
        node["kind"] = type.Kind;
        var metadata = node["metadata"]!.AsObject();
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["generation"] ??= 1L;
        lock (_gate)
        {
            metadata["resourceVersion"] = NextResourceVersion();
            Store(resource, node);
        }
    }

    /// <summary>Stores a custom resource (<c>certificates</c>, <c>destinationrules</c>) given as JSON, filled in like <see cref="Seed{T}"/>.</summary>
    public void Seed(string resource, JsonObject item)
    {
        var type = Resources[resource];
        var node = item.DeepClone().AsObject();
        node["apiVersion"] = type.ApiVersion;
        node["kind"] = type.Kind;
        var metadata = node["metadata"]!.AsObject();
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["generation"] ??= 1L;
        lock (_gate)
        {
            metadata["resourceVersion"] = NextResourceVersion();
            Store(resource, node);
        }
    }

    /// <summary>The stored object as JSON (a copy), or null.</summary>
    public JsonObject? GetJson(string resource, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(resource, ns, name), out var node) ? node.DeepClone().AsObject() : null;
        }
    }

    public T? Get<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(ResourceOfType[typeof(T)], ns, name), out var node)
                ? KubernetesJson.Deserialize<T>(node.ToJsonString())
                : null;
        }
    }

    /// <summary>The next <paramref name="count"/> persisting writes fail with 409, as if another client wrote first (the stored resourceVersion moves on).</summary>
    public void ConflictOnNextWrites(int count)
    {
        lock (_gate)
        {
            _conflictsToInject = count;
        }
    }

    /// <summary>Requests with this RBAC verb (get, patch, update, delete) on this resource (e.g. deployments/scale) get 403.</summary>
    public void Forbid(string verb, string resource)
    {
        lock (_gate)
        {
            _forbidden.Add((verb, resource));
        }
    }

    /// <summary>Requests with this RBAC verb on this resource get <paramref name="status"/> (500 InternalError by default) until <see cref="Heal"/>.</summary>
    public void FailWith(string verb, string resource, int status = 500)
    {
        lock (_gate)
        {
            _failing[(verb, resource)] = status;
        }
    }

    public void Heal()
    {
        lock (_gate)
        {
            _failing.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        DropWatches(abort: true);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method == "GET" && TryRoute(request.Path.Value ?? "", out var listed, out var listNs, out var listName, out var listSub) && listName.Length == 0 && listSub is null)
        {
            await ListOrWatchAsync(context, listed, listNs);
            return;
        }

        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        int status;
        JsonNode response;
        ApiRequest? record;
        try
        {
            (status, response, record) = Handle(request.Method, request.Path.Value ?? "", request.Query, request.ContentType, body);
        }
#pragma warning disable CA1031 // A bug in the fake must reach the test as a readable 500, not a dropped connection.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            (status, response, record) = (500, StatusBody(500, "InternalError", "fake API server bug: " + exception), null);
        }

        if (record is not null)
        {
            lock (_gate)
            {
                _requests.Add(record with { Status = status });
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(WireFormat), context.RequestAborted);
    }

    private (int Status, JsonNode Body, ApiRequest? Record) Handle(string method, string path, IQueryCollection query, string? contentType, string body)
    {
        if (!TryRoute(path, out var resource, out var ns, out var name, out var subresource))
        {
            return (404, StatusBody(404, "NotFound", $"the server could not find the requested resource (path {path})"), null);
        }

        var type = Resources[resource];
        if (type.Namespaced && ns is null)
        {
            return (405, StatusBody(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"), null);
        }

        var verb = method switch { "GET" => "get", "POST" => "create", "PATCH" => "patch", "PUT" => "update", "DELETE" => "delete", _ => method.ToLowerInvariant() };
        if ((name.Length == 0) != (method == "POST"))
        {
            // deletecollection and writes to collections other than create are not implemented; lists and watches are served earlier.
            return (405, StatusBody(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"), null);
        }

        if (method == "POST")
        {
            name = CreatedName(body);
        }

        var rbacResource = subresource is null ? type.PathName ?? resource : $"{resource}/{subresource}";
        var dryRunValues = query["dryRun"];
        var dryRun = dryRunValues.Count > 0;
        var record = new ApiRequest(method, verb, type.Group, rbacResource, ns, name, dryRun, contentType, 0);
        var qualified = type.Group.Length == 0 ? resource : $"{resource}.{type.Group}";

        lock (_gate)
        {
            if (_forbidden.Contains((verb, rbacResource)))
            {
                var where = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
                return (403, StatusBody(403, "Forbidden",
                    $"{qualified} \"{name}\" is forbidden: User \"system:serviceaccount:homeostat:homeostat\" cannot {verb} resource \"{rbacResource}\" in API group \"{type.Group}\" {where}",
                    name, type.Group, resource), record);
            }

            if (_failing.TryGetValue((verb, rbacResource), out var failure))
            {
                return (failure, StatusBody(failure, "InternalError", $"Internal error occurred: scripted failure of {verb} {rbacResource}"), record);
            }

            if (dryRun && (dryRunValues.Count != 1 || dryRunValues[0] != "All"))
            {
                return (400, StatusBody(400, "BadRequest", $"dryRun: Unsupported value: \"{dryRunValues}\": supported values: \"All\""), record);
            }

            if (method == "POST")
            {
                return Create(type, resource, ns, name, body, dryRun, record, qualified);
            }

            if (method is not ("GET" or "PATCH" or "PUT" or "DELETE") || (subresource is not null && method == "DELETE"))
            {
                return (405, StatusBody(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource"), record);
            }

            var key = Key(resource, ns, name);
            if (!_objects.TryGetValue(key, out var stored))
            {
                return (404, StatusBody(404, "NotFound", $"{qualified} \"{name}\" not found", name, type.Group, resource), record);
            }

            var current = subresource is null or "status" ? stored.DeepClone().AsObject() : ScaleOf(stored);
            var conflict = StatusBody(409, "Conflict",
                $"Operation cannot be fulfilled on {qualified} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                name, type.Group, resource);

            switch (method)
            {
                case "GET":
                    return (200, current, record);

                case "DELETE":
                {
                    if (body.Length > 0)
                    {
                        var options = JsonNode.Parse(body);
                        var preconditions = options?["preconditions"];
                        if ((preconditions?["resourceVersion"]?.GetValue<string>() is { } rv && rv != ResourceVersionOf(stored))
                            || (preconditions?["uid"]?.GetValue<string>() is { } uid && uid != stored["metadata"]!["uid"]!.GetValue<string>()))
                        {
                            return (409, conflict, record);
                        }
                    }

                    if (!dryRun && TakeInjectedConflict(stored))
                    {
                        return (409, conflict, record);
                    }

                    if (!dryRun)
                    {
                        _objects.Remove(key);
                        stored["metadata"]!["resourceVersion"] = NextResourceVersion();
                        Emit("DELETED", resource, stored);
                    }

                    return (200, current, record);
                }
            }

            // PATCH and PUT: compute the new object, check it, and persist it unless this is a dry run.
            JsonNode? updated;
            if (method == "PUT")
            {
                updated = JsonNode.Parse(body);
            }
            else
            {
                var mediaType = contentType?.Split(';')[0].Trim();
                if (mediaType is not (StrategicMergePatch or MergePatch or JsonPatch))
                {
                    return (415, StatusBody(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {JsonPatch}, {MergePatch}, application/apply-patch+yaml, {StrategicMergePatch}"), record);
                }

                try
                {
                    var patch = JsonNode.Parse(body);
                    updated = mediaType switch
                    {
                        JsonPatch => JsonPatches.Apply(current, patch!.AsArray()),
                        MergePatch => JsonPatches.Merge(current, patch, strategic: false),
                        _ => JsonPatches.Merge(current, patch, strategic: true),
                    };
                }
                catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
                {
                    return (422, StatusBody(422, "Invalid", $"the patch could not be applied: {exception.Message}", name, type.Group, resource), record);
                }
            }

            if (updated is not JsonObject result)
            {
                return (400, StatusBody(400, "BadRequest", "the request body is not a JSON object"), record);
            }

            // Optimistic concurrency: a resourceVersion in the request must be the stored one.
            var sent = result["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (method == "PUT" && string.IsNullOrEmpty(sent))
            {
                return (422, StatusBody(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", name, type.Group, resource), record);
            }

            if (!string.IsNullOrEmpty(sent) && sent != ResourceVersionOf(stored))
            {
                return (409, conflict, record);
            }

            if (Validate(result, subresource is null or "status" ? type : null, ns, name) is { } invalid)
            {
                return (422, StatusBody(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {invalid}", name, type.Group, resource), record);
            }

            if (dryRun)
            {
                result["metadata"]!["resourceVersion"] = ResourceVersionOf(stored);
                return (200, result, record);
            }

            if (TakeInjectedConflict(stored))
            {
                return (409, conflict, record);
            }

            JsonObject next;
            if (subresource is null)
            {
                next = result;
                if (!JsonNode.DeepEquals(stored["spec"], next["spec"]))
                {
                    next["metadata"]!["generation"] = (Number(stored["metadata"]?["generation"]) ?? 1) + 1;
                }
            }
            else if (subresource == "status")
            {
                // The status subresource changes status only; everything else in the request is ignored, as the real server does.
                next = stored.DeepClone().AsObject();
                next["status"] = result["status"]?.DeepClone();
            }
            else
            {
                next = stored.DeepClone().AsObject();
                next["spec"] ??= new JsonObject();
                next["spec"]!["replicas"] = result["spec"]?["replicas"]?.DeepClone();
            }

            next["metadata"]!["resourceVersion"] = NextResourceVersion();
            _objects[key] = next;
            Emit("MODIFIED", resource, next);
            return (200, subresource == "scale" ? ScaleOf(next) : next.DeepClone(), record);
        }
    }

    /// <summary>How a watch from a compacted resourceVersion fails: an HTTP 410, or a 200 whose stream carries one ERROR event.</summary>
    public enum GoneStyle
    {
        InStream,
        Http,
    }

    /// <summary>The resourceVersion each watch request started from ("" when none), in order.</summary>
    public IReadOnlyList<(string Resource, string ResourceVersion)> WatchesFrom
    {
        get
        {
            lock (_gate)
            {
                return [.. _watchesFrom];
            }
        }
    }

    public string CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Watches that are open now (the client connected and has not gone away).</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Changes a stored pod, event or workload as a controller or the kubelet would; watchers get MODIFIED.</summary>
    public void Modify<T>(string? ns, string name, Action<T> change)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = ResourceOfType[typeof(T)];
        lock (_gate)
        {
            var stored = _objects[Key(resource, ns, name)];
            var typed = KubernetesJson.Deserialize<T>(stored.ToJsonString());
            change(typed);
            var node = JsonNode.Parse(KubernetesJson.Serialize(typed))!.AsObject();
            node["apiVersion"] = stored["apiVersion"]?.DeepClone();
            node["kind"] = stored["kind"]?.DeepClone();
            node["metadata"]!["resourceVersion"] = NextResourceVersion();
            Store(resource, node);
        }
    }

    /// <summary>Ends every open watch: the stream closes normally, or with <paramref name="abort"/> the connection is reset.</summary>
    public void DropWatches(bool abort = false)
    {
        List<Watcher> dropped;
        lock (_gate)
        {
            dropped = [.. _watchers];
            _watchers.Clear();
        }

        foreach (var watcher in dropped)
        {
            watcher.Lines.Writer.TryComplete();
            if (abort)
            {
                try
                {
                    watcher.Context.Abort();
                }
                catch (ObjectDisposedException)
                {
                    // The request already finished.
                }
            }
        }
    }

    /// <summary>
    /// Compacts history as etcd does: other writes move the resourceVersion on, and a watch from any version before that (or
    /// before <paramref name="below"/>) gets 410 Gone, in <paramref name="style"/>. A fresh list's version is never too old.
    /// </summary>
    public void ExpireResourceVersions(GoneStyle style, string? below = null)
    {
        lock (_gate)
        {
            _compactedBelow = below is null ? long.Parse(NextResourceVersion(), System.Globalization.CultureInfo.InvariantCulture) : long.Parse(below, System.Globalization.CultureInfo.InvariantCulture);
            _goneStyle = style;
        }
    }

    /// <summary>Sends a BOOKMARK carrying the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                var type = Resources[watcher.Resource];
                var bookmark = new JsonObject
                {
                    ["kind"] = type.Kind,
                    ["apiVersion"] = type.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
                watcher.Lines.Writer.TryWrite(EventLine("BOOKMARK", bookmark));
            }
        }
    }

    private sealed record Watcher(string Resource, string? Namespace, IReadOnlyDictionary<string, string> Selector, bool Bookmarks, Channel<string> Lines, HttpContext Context);

    private void Store(string resource, JsonObject node)
    {
        var metadata = node["metadata"]!;
        var key = Key(resource, metadata["namespace"]?.GetValue<string>(), metadata["name"]!.GetValue<string>());
        var existed = _objects.ContainsKey(key);
        _objects[key] = node;
        Emit(existed ? "MODIFIED" : "ADDED", resource, node);
    }

    /// <summary>Records a change in the history that watches replay from, and sends it to the open watches it matches.</summary>
    private void Emit(string type, string resource, JsonObject item)
    {
        var copy = item.DeepClone().AsObject();
        _history.Add((long.Parse(ResourceVersionOf(copy), System.Globalization.CultureInfo.InvariantCulture), resource, type, copy));
        foreach (var watcher in _watchers.Where(w => Matches(w.Resource, w.Namespace, w.Selector, resource, copy)))
        {
            watcher.Lines.Writer.TryWrite(EventLine(type, copy));
        }
    }

    private static string ResourceOf(JsonObject stored) => Resources.First(r => r.Value.Kind == stored["kind"]?.GetValue<string>()).Key;

    private static string EventLine(string type, JsonObject item) => new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString(WireFormat);

    private static bool Matches(string wantedResource, string? ns, IReadOnlyDictionary<string, string> selector, string resource, JsonObject item)
    {
        if (resource != wantedResource || (ns is not null && item["metadata"]?["namespace"]?.GetValue<string>() != ns))
        {
            return false;
        }

        var labels = item["metadata"]?["labels"] as JsonObject;
        return selector.All(s => labels?[s.Key]?.GetValue<string>() == s.Value);
    }

    /// <summary>Only equality selectors (<c>a=b,c==d</c>); set-based ones are not implemented and get 400.</summary>
    private static bool TryParseSelector(string? text, out Dictionary<string, string> selector)
    {
        selector = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Replace("==", "=", StringComparison.Ordinal).Split('=');
            if (pieces.Length != 2 || pieces[0].Length == 0 || pieces[0].EndsWith('!'))
            {
                return false;
            }

            selector[pieces[0]] = pieces[1];
        }

        return true;
    }

    /// <summary>GET on a collection: a List with the current resourceVersion, or with <c>watch=true</c> a stream of watch events.</summary>
    private async Task ListOrWatchAsync(HttpContext context, string resource, string? ns)
    {
        var type = Resources[resource];
        var query = context.Request.Query;
        var watch = query["watch"].ToString() is "true" or "1";
        var record = new ApiRequest("GET", watch ? "watch" : "list", type.Group, resource, ns, "", false, null, 0);
        int status;
        JsonNode body;
        Watcher? watcher = null;
        lock (_gate)
        {
            var requested = query["resourceVersion"].ToString();
            if (watch)
            {
                _watchesFrom.Add((resource, requested));
            }

            long from = 0;
            if (_stopping)
            {
                (status, body) = (503, StatusBody(503, "ServiceUnavailable", "the fake API server is stopping"));
            }
            else if (_forbidden.Contains((record.Verb, resource)))
            {
                var where = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
                (status, body) = (403, StatusBody(403, "Forbidden",
                    $"{resource} is forbidden: User \"system:serviceaccount:homeostat:homeostat\" cannot {record.Verb} resource \"{resource}\" in API group \"{type.Group}\" {where}"));
            }
            else if (_failing.TryGetValue((record.Verb, resource), out var failure))
            {
                (status, body) = (failure, StatusBody(failure, "InternalError", $"Internal error occurred: scripted failure of {record.Verb} {resource}"));
            }
            else if (!TryParseSelector(query["labelSelector"], out var selector) || query.ContainsKey("fieldSelector"))
            {
                (status, body) = (400, StatusBody(400, "BadRequest", "only equality label selectors are implemented by the fake API server"));
            }
            else if (requested.Length > 0 && !long.TryParse(requested, System.Globalization.CultureInfo.InvariantCulture, out from))
            {
                (status, body) = (400, StatusBody(400, "BadRequest", $"invalid resourceVersion \"{requested}\""));
            }
            else if (!watch)
            {
                var items = new JsonArray();
                foreach (var (key, item) in _objects.OrderBy(o => o.Key, StringComparer.Ordinal))
                {
                    if (Matches(resource, ns, selector, ResourceOfKey(key), item))
                    {
                        items.Add(item.DeepClone());
                    }
                }

                (status, body) = (200, new JsonObject
                {
                    ["kind"] = type.Kind + "List",
                    ["apiVersion"] = type.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    ["items"] = items,
                });
            }
            else if (from > 0 && from < _compactedBelow && _goneStyle == GoneStyle.Http)
            {
                (status, body) = (410, StatusBody(410, "Expired", $"too old resource version: {from} ({_compactedBelow})"));
            }
            else
            {
                (status, body) = (200, new JsonObject());
                var bookmarks = query["allowWatchBookmarks"].ToString() == "true";
                watcher = new Watcher(resource, ns, selector, bookmarks, Channel.CreateUnbounded<string>(), context);
                if (from > 0 && from < _compactedBelow)
                {
                    watcher.Lines.Writer.TryWrite(EventLine("ERROR", StatusBody(410, "Expired", $"too old resource version: {from} ({_compactedBelow})")));
                    watcher.Lines.Writer.TryComplete();
                }
                else
                {
                    // No resourceVersion (or 0): every current object as ADDED, then changes; otherwise the changes after it.
                    var replay = from == 0
                        ? _objects.OrderBy(o => o.Key, StringComparer.Ordinal).Where(o => Matches(resource, ns, selector, ResourceOfKey(o.Key), o.Value)).Select(o => EventLine("ADDED", o.Value))
                        : _history.Where(h => h.ResourceVersion > from && Matches(resource, ns, selector, h.Resource, h.Object)).Select(h => EventLine(h.Type, h.Object));
                    foreach (var line in replay)
                    {
                        watcher.Lines.Writer.TryWrite(line);
                    }

                    _watchers.Add(watcher);
                }
            }

            _requests.Add(record with { Status = status });
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (watcher is null)
        {
            await context.Response.WriteAsync(body.ToJsonString(WireFormat), context.RequestAborted);
            return;
        }

        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var line in watcher.Lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client went away or the connection was reset by DropWatches(abort: true).
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private static string ResourceOfKey(string key) => key[..key.IndexOf('/', StringComparison.Ordinal)];

    private static string CreatedName(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["metadata"]?["name"]?.GetValue<string>() ?? "";
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>POST to a collection: 409 AlreadyExists when the name is taken; generateName is not implemented.</summary>
    private (int Status, JsonNode Body, ApiRequest? Record) Create(ResourceType type, string resource, string? ns, string name, string body, bool dryRun, ApiRequest record, string qualified)
    {
        JsonObject created;
        try
        {
            created = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException exception)
        {
            return (400, StatusBody(400, "BadRequest", $"the request body is not a JSON object: {exception.Message}"), record);
        }

        if (name.Length == 0)
        {
            return (422, StatusBody(422, "Invalid", $"{type.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required", name, type.Group, resource), record);
        }

        if (created["apiVersion"]?.GetValue<string>() != type.ApiVersion || created["kind"]?.GetValue<string>() != type.Kind)
        {
            return (400, StatusBody(400, "BadRequest", $"the API version or kind in the request body does not match the path ({type.ApiVersion} {type.Kind})"), record);
        }

        var metadata = created["metadata"]!.AsObject();
        if (metadata["namespace"] is null)
        {
            metadata["namespace"] = ns;
        }

        if (!string.IsNullOrEmpty(metadata["resourceVersion"]?.GetValue<string>()))
        {
            return (422, StatusBody(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: must not be set on create", name, type.Group, resource), record);
        }

        if (Validate(created, type, ns, name) is { } invalid)
        {
            return (422, StatusBody(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {invalid}", name, type.Group, resource), record);
        }

        var key = Key(resource, ns, name);
        if (_objects.ContainsKey(key))
        {
            return (409, StatusBody(409, "AlreadyExists", $"{qualified} \"{name}\" already exists", name, type.Group, resource), record);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["generation"] = 1L;
        metadata["creationTimestamp"] = "2026-01-01T00:00:00Z";
        if (dryRun)
        {
            metadata["resourceVersion"] = "";
            return (201, created, record);
        }

        if (_conflictsToInject > 0)
        {
            // Another client created it first.
            _conflictsToInject--;
            var raced = created.DeepClone().AsObject();
            raced["spec"] = new JsonObject { ["host"] = created["spec"]?["host"]?.DeepClone() };
            raced["metadata"]!["resourceVersion"] = NextResourceVersion();
            _objects[key] = raced;
            Emit("ADDED", resource, raced);
            return (409, StatusBody(409, "AlreadyExists", $"{qualified} \"{name}\" already exists", name, type.Group, resource), record);
        }

        metadata["resourceVersion"] = NextResourceVersion();
        _objects[key] = created;
        Emit("ADDED", resource, created);
        return (201, created.DeepClone(), record);
    }

    /// <summary>Consumes one scripted conflict: another client "wrote first", so the stored resourceVersion moves on.</summary>
    private bool TakeInjectedConflict(JsonObject stored)
    {
        if (_conflictsToInject <= 0)
        {
            return false;
        }

        _conflictsToInject--;
        stored["metadata"]!["resourceVersion"] = NextResourceVersion();
        Emit("MODIFIED", ResourceOf(stored), stored);
        return true;
    }

    private static string? Validate(JsonObject result, ResourceType? type, string? ns, string name)
    {
        var metadata = result["metadata"];
        if (metadata?["name"]?.GetValue<string>() is { } newName && newName != name)
        {
            return $"metadata.name: Invalid value: \"{newName}\": field is immutable";
        }

        if (metadata?["namespace"]?.GetValue<string>() is { } newNs && newNs != ns)
        {
            return $"metadata.namespace: Invalid value: \"{newNs}\": field is immutable";
        }

        try
        {
            if (type is { Custom: true })
            {
                // No CRD schemas: only the fields the actions rely on are checked.
                if (result["spec"] is not (null or JsonObject))
                {
                    return "spec: Invalid value: must be an object";
                }

                if (type.Kind == "DestinationRule" && result["spec"]?["host"] is not JsonValue)
                {
                    return "spec.host: Required value";
                }

                if (result["status"] is JsonObject { } status && status["conditions"] is { } conditions && conditions is not JsonArray)
                {
                    return "status.conditions: Invalid value: must be a list";
                }

                return null;
            }

            if (type is null)
            {
                var scale = KubernetesJson.Deserialize<V1Scale>(result.ToJsonString());
                return scale.Spec?.Replicas is < 0 ? "spec.replicas: Invalid value: must be greater than or equal to 0" : null;
            }

            // The typed model stands in for the server's schema: a value of the wrong type fails to read.
            var json = result.ToJsonString();
            object typed = ResourceOfTypeName(type) switch
            {
                "pods" => KubernetesJson.Deserialize<V1Pod>(json),
                "nodes" => KubernetesJson.Deserialize<V1Node>(json),
                "events" => KubernetesJson.Deserialize<Corev1Event>(json),
                "statefulsets" => KubernetesJson.Deserialize<V1StatefulSet>(json),
                "replicasets" => KubernetesJson.Deserialize<V1ReplicaSet>(json),
                "daemonsets" => KubernetesJson.Deserialize<V1DaemonSet>(json),
                _ => KubernetesJson.Deserialize<V1Deployment>(json),
            };
            if (typed is V1Deployment { Spec.Template.Spec.Containers: var containers })
            {
                foreach (var container in containers)
                {
                    if (container.Resources?.Limits?.TryGetValue("memory", out var limit) == true
                        && container.Resources.Requests?.TryGetValue("memory", out var requested) == true
                        && requested.ToInt64() > limit.ToInt64())
                    {
                        return $"spec.template.spec.containers[{container.Name}].resources.requests: Invalid value: \"{requested}\": must be less than or equal to memory limit of {limit}";
                    }
                }
            }

            return null;
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return exception.Message;
        }
    }

    private static string ResourceOfTypeName(ResourceType type) => Resources.First(r => r.Value == type).Key;

    private static JsonObject ScaleOf(JsonObject stored)
    {
        var replicas = Number(stored["spec"]?["replicas"]) ?? 1;
        var metadata = stored["metadata"]!;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
            ["status"] = new JsonObject { ["replicas"] = Number(stored["status"]?["replicas"]) ?? replicas },
        };
    }

    private static bool TryRoute(string path, out string resource, out string? ns, out string name, out string? subresource)
    {
        resource = name = "";
        ns = subresource = null;
        var parts = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        string[] rest;
        string apiVersion;
        if (parts is ["api", "v1", .. var core])
        {
            rest = core;
            apiVersion = "v1";
        }
        else if (parts is ["apis", var group, var version, .. var grouped])
        {
            rest = grouped;
            apiVersion = $"{group}/{version}";
        }
        else
        {
            return false;
        }

        if (rest is ["namespaces", var n, _, ..])
        {
            ns = n;
            rest = rest[2..];
        }

        // A collection path (no name) routes only so that POST can create; other verbs on it get 405.
        if (rest.Length is < 1 or > 3)
        {
            return false;
        }

        var key = Resources.FirstOrDefault(r => r.Value.PathName == rest[0] && r.Value.ApiVersion == apiVersion).Key ?? rest[0];
        if (!Resources.TryGetValue(key, out var type))
        {
            return false;
        }

        // A namespaced resource's collection also exists across all namespaces (/api/v1/pods), for list and watch.
        if (type.ApiVersion != apiVersion || (type.Namespaced != (ns is not null) && !(type.Namespaced && rest.Length == 1)))
        {
            return false;
        }

        if (rest.Length == 3)
        {
            var allowed = rest[2] switch
            {
                "scale" => type.HasScale && rest[0] != "replicasets",
                "status" => type.HasStatus,
                _ => false,
            };
            if (!allowed)
            {
                return false;
            }

            subresource = rest[2];
        }

        resource = key;
        name = rest.Length > 1 ? rest[1] : "";
        return true;
    }

    private static long? Number(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<long>(out var l) ? l : value.TryGetValue<int>(out var i) ? i : null
        : null;

    private static string Key(string resource, string? ns, string name) => $"{resource}/{ns}/{name}";

    private static string ResourceVersionOf(JsonObject stored) => stored["metadata"]!["resourceVersion"]!.GetValue<string>();

    private string NextResourceVersion() => (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject StatusBody(int code, string reason, string message, string? name = null, string? group = null, string? kind = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind };
        }

        status["code"] = code;
        return status;
    }
}

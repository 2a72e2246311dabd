using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Homeostat.Audit;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Homeostat.Server.Tests.Attack;

/// <summary>
/// The real service on Kestrel, driven with hostile input: posts of raw bytes, hand-written HTTP over a socket, and a
/// store whose writes fail on demand. After every attack, <see cref="AssertSurvivedAsync"/> checks that the service
/// still answers <c>/healthz</c> and that the audit chain still verifies.
/// </summary>
public sealed class AttackHarness : IAsyncDisposable
{
    private AttackHarness(ServerHarness server, FailingWritesStore store)
    {
        Server = server;
        Store = store;
    }

    public ServerHarness Server { get; }

    /// <summary>The store behind the API; <see cref="FailingWritesStore.FailWrites"/> makes its writes fail with SQLITE_FULL.</summary>
    public FailingWritesStore Store { get; }

    public HttpClient Client => Server.Client;

    /// <summary>Every write endpoint that reads a JSON body, with a body that is valid for it.</summary>
    public static readonly IReadOnlyList<(string Path, string ValidBody)> JsonWriteEndpoints =
    [
        ("/api/v1/signals", """{"source": "api", "title": "disk almost full", "labels": {"service": "shop"}}"""),
        ("/api/v1/alertmanager", """{"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "service": "shop"}}]}"""),
        ("/api/v1/suspensions/resume", """{"service": "shop", "class": "disk_full"}"""),
        ("/api/v1/approvals/inc-1/approve", """{"by": "alice"}"""),
        ("/api/v1/approvals/inc-1/reject", """{"by": "alice", "note": "no"}"""),
        ("/api/v1/incidents/inc-1/resolve", """{"by": "alice", "note": "fixed by hand"}"""),
        ("/api/v1/incidents/inc-1/label", """{"class": "disk_full", "by": "alice"}"""),
    ];

    /// <summary>Starts the service; <paramref name="health"/> replaces the store-health component (to drive its back-off with a fake clock).</summary>
    public static async Task<AttackHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, StoreHealth? health = null)
    {
        FailingWritesStore? store = null;
        var server = await ServerHarness.StartAsync(settings: settings, configure: services =>
        {
            services.AddSingleton<IHomeostatStore>(sp => store = new FailingWritesStore(sp.GetRequiredService<SqliteStore>()));
            if (health is not null)
            {
                services.AddSingleton(health);
            }
        });
        _ = server.Services.GetRequiredService<IHomeostatStore>();
        return new AttackHarness(server, store!);
    }

    public async Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Client.PostAsync(path, content);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body) => Server.PostAsync(path, body);

    /// <summary>
    /// Writes <paramref name="request"/> to a fresh connection as it is, then reads the status line of the answer; with
    /// <paramref name="holdOpen"/> the connection stays open for writing, as a client that stalls mid-body would.
    /// </summary>
    public async Task<int> SendRawAsync(byte[] request, bool holdOpen = true, TimeSpan? wait = null)
    {
        var address = new Uri(Client.BaseAddress!.ToString());
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        await stream.FlushAsync();
        if (!holdOpen)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[16 * 1024];
        var received = new StringBuilder();
        while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                // The server aborted the connection rather than answer: no status line.
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var statusLine = received.ToString().Split("\r\n")[0];
        return statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(statusLine[9..12], System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    public static byte[] Http(string head, byte[]? body = null) => [.. Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n")), .. body ?? []];

    /// <summary>The service still answers <c>/healthz</c>, and the audit trail written so far still verifies.</summary>
    public async Task AssertSurvivedAsync()
    {
        using var health = await Client.GetAsync("/healthz");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await Store.VerifyAuditChainAsync(CancellationToken.None);
        report.IsIntact.ShouldBeTrue(report.Problem);
    }

    public static string Problem(HttpResponseMessage response) => response.Content.ReadAsStringAsync().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// The SQLite store, whose writes fail with SQLITE_FULL while <see cref="FailWrites"/> is set: the failure is raised inside
/// the real store's transaction, so its own error handling (roll back, report to the store health) runs as for a full disk.
/// </summary>
public sealed class FailingWritesStore(SqliteStore inner) : IHomeostatStore, IStoreWriteProbe
{
    private const int SqliteFull = 13;

    public volatile bool FailWrites;

    public Task<T> WriteAsync<T>(Func<IStoreWriter, Task<T>> work, CancellationToken cancellationToken) =>
        inner.WriteAsync(writer => FailWrites ? throw new SqliteException("database or disk is full", SqliteFull) : work(writer), cancellationToken);

    public Task ProbeWriteAsync(CancellationToken cancellationToken) =>
        FailWrites ? inner.WriteAsync<bool>(_ => throw new SqliteException("database or disk is full", SqliteFull), cancellationToken) : inner.ProbeWriteAsync(cancellationToken);

    public Task<Incident?> ClaimNextDueAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) => inner.ClaimNextDueAsync(owner, now, lease, cancellationToken);

    public Task ReleaseClaimAsync(string incidentId, string owner, CancellationToken cancellationToken) => inner.ReleaseClaimAsync(incidentId, owner, cancellationToken);

    public Task<OutboxEntry?> ClaimNextNotificationAsync(string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) => inner.ClaimNextNotificationAsync(owner, now, lease, cancellationToken);

    public Task<int> ReleaseClaimsAsync(string replica, CancellationToken cancellationToken) => inner.ReleaseClaimsAsync(replica, cancellationToken);

    public Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken) => inner.NextDueAtAsync(cancellationToken);

    public Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken) => inner.VerifyAuditChainAsync(cancellationToken);

    public Task<Incident?> GetIncidentAsync(string id, CancellationToken cancellationToken) => inner.GetIncidentAsync(id, cancellationToken);

    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(IncidentQuery query, CancellationToken cancellationToken) => inner.ListIncidentsAsync(query, cancellationToken);

    public Task<int> CountExecutionsAsync(string service, string action, DateTimeOffset since, CancellationToken cancellationToken) => inner.CountExecutionsAsync(service, action, since, cancellationToken);

    public Task<int> CountInFlightAsync(CancellationToken cancellationToken) => inner.CountInFlightAsync(cancellationToken);

    public Task<Suspension?> FindActiveSuspensionAsync(string service, string failureClass, CancellationToken cancellationToken) => inner.FindActiveSuspensionAsync(service, failureClass, cancellationToken);

    public Task<IReadOnlyList<Suspension>> ListSuspensionsAsync(bool activeOnly, CancellationToken cancellationToken) => inner.ListSuspensionsAsync(activeOnly, cancellationToken);

    public Task<ShadowState?> GetShadowAsync(string failureClass, string specHash, CancellationToken cancellationToken) => inner.GetShadowAsync(failureClass, specHash, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken) => inner.QueryAuditAsync(query, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ListNotificationsAsync(string? incidentId, CancellationToken cancellationToken) => inner.ListNotificationsAsync(incidentId, cancellationToken);
}

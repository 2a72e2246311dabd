using System.Net.Http.Json;
using System.Text.Json;
using Homeostat.Healing;
using Homeostat.Server;
using Homeostat.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeostat.Cli.Tests.Client;

/// <summary>
/// The real service on 127.0.0.1 with an API token, over a store the real engine wrote: two incidents pending approval
/// (checkout and payments, disk_full with <c>approval: required</c>) and disk_full suspended for checkout. It runs no
/// workers, so the store changes only by what a test does through the API.
/// </summary>
public sealed class RunningService : IAsyncDisposable
{
    public const string Token = "operator-token-5b2e9c";

    /// <summary>The name of <see cref="Token"/>, which the audit trail records as the actor.</summary>
    public const string TokenName = "erin";

    private readonly WebApplication _app;
    private readonly TempDirectory _folder;

    private RunningService(WebApplication app, TempDirectory folder, string checkout, string payments)
    {
        _app = app;
        _folder = folder;
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(Url) };
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        CheckoutIncident = checkout;
        PaymentsIncident = payments;
    }

    /// <summary>The service's address, as an operator passes it to <c>--server</c>.</summary>
    public string Url { get; }

    /// <summary>A file holding the right token, as an operator passes it to <c>--token-file</c>.</summary>
    public string TokenFile => Path.Combine(_folder.Path, "token");

    public string CheckoutIncident { get; }

    public string PaymentsIncident { get; }

    public HttpClient Client { get; }

    /// <summary>A config for the offline path over a copy of the store as the service started with it, and the same catalog.</summary>
    public string OfflineConfig => Path.Combine(_folder.Path, "offline.yaml");

    /// <summary>A folder a config or a wrong token can be written to.</summary>
    public TempDirectory Folder => _folder;

    public static async Task<RunningService> StartAsync()
    {
        var folder = new TempDirectory();
        var data = Path.Combine(folder.Path, "data");
        Directory.CreateDirectory(data);
        // Only host actions: the service runs without the Kubernetes module, which refuses a catalog naming its actions.
        var full = CatalogBuilder.DiskFull(approval: true);
        var catalogYaml = full[..full.IndexOf("  oom:", StringComparison.Ordinal)];
        var catalog = folder.Write("catalog.yaml", catalogYaml);
        var tokenFile = folder.Write("token", Token + "\n");

        string checkout, payments;
        await using (var engine = new PipelineHarness(catalogYaml, storeConnectionString: $"Data Source={Path.Combine(data, "homeostat.db")}"))
        {
            checkout = (await engine.HandleAsync(SignalBuilder.DiskFull(service: "checkout"))).Id;
            payments = (await engine.HandleAsync(SignalBuilder.DiskFull(service: "payments"))).Id;
            (await engine.IncidentAsync(checkout)).State.ShouldBe(IncidentState.PendingApproval);
            (await engine.IncidentAsync(payments)).State.ShouldBe(IncidentState.PendingApproval);
            await engine.Store.WriteAsync(
                async writer =>
                {
                    await writer.SuspendAsync(new Suspension("checkout", "disk_full", "rotate_and_compress_logs", "rate limited", engine.Time.GetUtcNow()), CancellationToken.None);
                    return true;
                },
                CancellationToken.None);
        }

        // The same store for the same command offline, to compare what both ways say.
        SqliteConnection.ClearAllPools();
        var offline = Path.Combine(folder.Path, "offline");
        Directory.CreateDirectory(offline);
        foreach (var file in Directory.EnumerateFiles(data))
        {
            File.Copy(file, Path.Combine(offline, Path.GetFileName(file)));
        }

        folder.Write("offline.yaml", "data: offline\ncatalog:\n  path: catalog.yaml\n");

        var app = HomeostatApplication.Build(new HomeostatAppSettings
        {
            DataDirectory = data,
            Listen = "http://127.0.0.1:0",
            RunWorkers = false,
            MinimumLogLevel = LogLevel.Warning,
            Overrides = new Dictionary<string, string?>
            {
                // A named operator token: its name is the actor of every answer sent with it.
                ["Server:Tokens:0:Name"] = TokenName,
                ["Server:Tokens:0:Role"] = "operator",
                ["Server:Tokens:0:File"] = tokenFile,
                ["Catalog:Path"] = catalog,
            },
        });
        await app.StartAsync();
        return new RunningService(app, folder, checkout, payments);
    }

    public async Task<JsonElement> IncidentAsync(string id)
    {
        var document = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");
        return document.GetProperty("incident");
    }

    /// <summary>The service's audit records of one type, oldest first.</summary>
    public async Task<IReadOnlyList<JsonElement>> AuditAsync(string type)
    {
        var document = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?type={type}");
        return document.GetProperty("records").EnumerateArray().ToList();
    }

    public async Task<IReadOnlyList<JsonElement>> ActiveSuspensionsAsync()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>("/api/v1/suspensions");
        return document.GetProperty("suspensions").EnumerateArray().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Dispose();
    }
}

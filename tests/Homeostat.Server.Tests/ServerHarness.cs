using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Homeostat.Remediation;
using Homeostat.Server;
using Homeostat.TestKit;
using Homeostat.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeostat.Server.Tests;

/// <summary>The real service on Kestrel at 127.0.0.1 with a random port, its actions replaced by recording ones.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "homeostat-server-" + Guid.NewGuid().ToString("N"));

    private ServerHarness(WebApplication app, string directory, string? token)
    {
        _app = app;
        _directory = directory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
        Token = token;
    }

    public HttpClient Client { get; }

    /// <summary>The running service's container, for tests that check the store or the clock behind the API.</summary>
    public IServiceProvider Services => _app.Services;

    public string? Token { get; }

    /// <summary>The service's data directory, where its SQLite store lives.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    public RecordingAction DiskAction { get; private init; } = null!;

    public ScriptedVerifier Verifier { get; private init; } = null!;

    public RecordingNotifier Notifier { get; private init; } = null!;

    public static async Task<ServerHarness> StartAsync(bool live = true, string? token = null, IReadOnlyDictionary<string, string?>? settings = null, bool scriptVerification = true, Action<IServiceCollection>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "homeostat-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var overrides = new Dictionary<string, string?>
        {
            ["Guardrails:ShadowPeriod"] = "0s",
            ["Server:MaxRequestBodyBytes"] = "65536",
        };
        if (token is not null)
        {
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, token + "\n");
            overrides["Server:ApiTokenFile"] = tokenFile;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var action = new RecordingAction(KnownActions.RotateAndCompressLogs);
        var verifier = new ScriptedVerifier();
        var notifier = new RecordingNotifier();
        var app = HomeostatApplication.Build(new HomeostatAppSettings
        {
            DataDirectory = Path.Combine(directory, "data"),
            Listen = "http://127.0.0.1:0",
            Live = live ? true : null,
            Overrides = overrides,
            MinimumLogLevel = LogLevel.Warning,
            ConfigureServices = services =>
            {
                services.OverrideAction(action);
                if (scriptVerification)
                {
                    services.AddSingleton<IVerifier>(verifier);
                }

                services.AddSingleton<Escalation.INotifier>(notifier);
                configure?.Invoke(services);
            },
        });
        await app.StartAsync();
        return new ServerHarness(app, directory, token) { DiskAction = action, Verifier = verifier, Notifier = notifier };
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, bool authorize = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (authorize && Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return Client.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls an incident until the background worker has moved it out of <c>open</c>.</summary>
    public async Task<JsonElement> WaitForDecisionAsync(string incidentId)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var document = await GetJsonAsync($"/api/v1/incidents/{incidentId}");
            if (document.GetProperty("incident").GetProperty("state").GetString() is not ("open" or "acting"))
            {
                return document;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"incident {incidentId} was not decided");
    }

    public static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

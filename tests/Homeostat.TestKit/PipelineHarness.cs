using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Configuration;
using Homeostat.Escalation;
using Homeostat.Healing;
using Homeostat.Host;
using Homeostat.Prometheus;
using Homeostat.Remediation;
using Homeostat.Signals;
using Homeostat.Sqlite;
using Homeostat.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.TestKit;

/// <summary>
/// The real engine (intake, classifier, guardrails, reconciler, SQLite store) wired with a fake clock, a recording
/// action, a scripted verifier and a recording notifier. Work runs only when the test calls <see cref="RunUntilIdleAsync"/>.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    /// <param name="catalogYaml">The catalog under test; <see cref="CatalogBuilder"/> writes typical ones.</param>
    /// <param name="settings">Config keys such as <c>Guardrails:DryRun</c>; by default the harness is live with no shadow period.</param>
    /// <param name="storeConnectionString">Share one store between harnesses, as a restarted process would.</param>
    /// <param name="configure">Last word on the services, for tests that add a faulty part.</param>
    /// <param name="addStore">The store module to run on (any <see cref="IHomeostatStore"/>); SQLite in memory by default.</param>
    public PipelineHarness(
        string? catalogYaml = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        string? storeConnectionString = null,
        Action<IServiceCollection>? configure = null,
        Action<HomeostatBuilder>? addStore = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Guardrails:DryRun"] = "false",
            ["Guardrails:ShadowPeriod"] = "0s",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        var builder = services.AddHomeostat(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build())
            .AddHostActions()
            .AddHostProbes()
            .AddPrometheus();
        if (addStore is not null)
        {
            addStore(builder);
        }
        else
        {
            builder.AddSqliteStore(o => o.ConnectionString = storeConnectionString ?? NewStoreConnectionString());
        }

        Actions = new Dictionary<string, RecordingAction>
        {
            [KnownActions.RotateAndCompressLogs.Name] = new(KnownActions.RotateAndCompressLogs),
            [KnownActions.ScaleMemoryLimit.Name] = new(KnownActions.ScaleMemoryLimit),
            [KnownActions.OpenCircuitBreaker.Name] = new(KnownActions.OpenCircuitBreaker),
        };
        foreach (var action in Actions.Values)
        {
            services.OverrideAction(action);
        }

        services.AddSingleton<IVerifier>(Verifier);
        services.AddSingleton<INotifier>(Notifier);
        services.AddSingleton(sp =>
        {
            var loaded = sp.GetRequiredService<CatalogLoader>().Load(catalogYaml ?? CatalogBuilder.DiskFull(), "test-catalog.yaml");
            return loaded.IsValid ? new CatalogProvider(loaded.Catalog!) : throw new CatalogInvalidException(loaded.Errors);
        });
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
        Catalog = _services.GetRequiredService<ICatalogProvider>().Current;
        Store = _services.GetRequiredService<IHomeostatStore>();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public static string NewStoreConnectionString() => $"Data Source=harness-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";

    public IReadOnlyDictionary<string, RecordingAction> Actions { get; }

    public RecordingAction DiskAction => Actions[KnownActions.RotateAndCompressLogs.Name];

    public ScriptedVerifier Verifier { get; } = new();

    public RecordingNotifier Notifier { get; } = new();

    public RemediationCatalog Catalog { get; }

    public IHomeostatStore Store { get; }

    public IServiceProvider Services => _services;

    public async Task<IntakeResult> PublishAsync(Signal signal) => (await PublishAllAsync(signal))[0];

    public Task<IReadOnlyList<IntakeResult>> PublishAllAsync(params Signal[] signals) =>
        _services.GetRequiredService<SignalIntake>().IngestAsync(signals, CancellationToken.None);

    /// <summary>Set when a test means to make processing fail; otherwise any failure fails the test.</summary>
    public bool ExpectReconcileFailures { get; set; }

    /// <summary>Reconciles everything due at the fake clock's current time.</summary>
    public async Task RunUntilIdleAsync()
    {
        var engine = _services.GetRequiredService<HealingEngine>();
        while (await engine.ProcessDueAsync("test", CancellationToken.None) > 0)
        {
        }

        if (!ExpectReconcileFailures)
        {
            var failures = await Store.QueryAuditAsync(new AuditQuery { Type = AuditTypes.ReconcileFailed }, CancellationToken.None);
            if (failures.Count > 0)
            {
                throw new InvalidOperationException("processing an incident failed unexpectedly: " + failures[0].Summary);
            }
        }
    }

    /// <summary>Publishes a signal, runs the loop and returns the incident it opened.</summary>
    public async Task<Incident> HandleAsync(Signal signal)
    {
        var result = await PublishAsync(signal);
        await RunUntilIdleAsync();
        return await IncidentAsync(result.IncidentId!);
    }

    public async Task<Incident> IncidentAsync(string id) =>
        await Store.GetIncidentAsync(id, CancellationToken.None) ?? throw new InvalidOperationException($"no incident {id}");

    public Task<IReadOnlyList<AuditRecord>> AuditAsync(string? incidentId = null) =>
        Store.QueryAuditAsync(new AuditQuery { IncidentId = incidentId, Limit = 100_000 }, CancellationToken.None);

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}

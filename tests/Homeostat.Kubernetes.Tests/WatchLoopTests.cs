using System.Globalization;
using Homeostat.Kubernetes.Sources;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Homeostat.Kubernetes.Tests;

/// <summary>The list-then-watch loop on its own, with the fake clock moved by hand so deadlines and back-offs can be counted.</summary>
public sealed class WatchLoopTests : IAsyncLifetime
{
    private readonly TestCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private FakeApiServer Server => _cluster.Server;

    [Fact]
    public async Task SilentWatch_PastTimeoutAndSlack_IsEndedAndResumedFromTheLastResourceVersion()
    {
        var (loop, stop, running) = Start(new KubernetesWatchOptions { WatchTimeout = TestCluster.Interval("1m") });
        // The server keeps the watch open and sends nothing, as a connection dropped without FIN or RST looks to the client.
        await Eventually.UntilAsync(() => Server.OpenWatches == 1, "the pod watch is open");
        var from = Server.WatchesFrom.Single().ResourceVersion;

        _cluster.Time.Advance(TimeSpan.FromMinutes(1) + WatchLoop<V1Pod>.DeadlineSlack - TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Server.WatchesFrom.Count.ShouldBe(1, "the deadline has not passed yet");

        _cluster.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.UntilAsync(() => Server.WatchesFrom.Count == 2 && Server.OpenWatches == 1, "the loop ended the silent watch and watches again");

        Server.WatchesFrom[1].ResourceVersion.ShouldBe(from);
        loop.Lists.ShouldBe(1, "a deadline is a normal end of stream, not a reason to list again");
        await StopAsync(stop, running);
    }

    [Fact]
    public async Task Gone_OnEveryWatchStart_ListsAgainOnlyAfterADoublingBackOff()
    {
        // Every watch, even from a fresh list's resourceVersion, gets HTTP 410.
        Server.ExpireResourceVersions(FakeApiServer.GoneStyle.Http, below: long.MaxValue.ToString(CultureInfo.InvariantCulture));
        var (_, stop, running) = Start(new KubernetesWatchOptions { InitialBackoff = TestCluster.Interval("1s"), MaxBackoff = TestCluster.Interval("1m") });
        await Eventually.UntilAsync(() => Count("watch") >= 1, "the first watch was refused");

        // Back-offs of 1, 2, 4, 8 and 16 s fit in 31 s: at most six lists, however fast the server answers.
        for (var second = 0; second < 30; second++)
        {
            _cluster.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }

        var lists = Count("list");
        lists.ShouldBeInRange(2, 6);
        Server.Requests.Where(r => r.Verb == "watch").ShouldAllBe(r => r.Status == 410);
        await StopAsync(stop, running);
    }

    private int Count(string verb) => Server.Requests.Count(r => r.Verb == verb && r.Resource == "pods");

    private (WatchLoop<V1Pod> Loop, CancellationTokenSource Stop, Task Running) Start(KubernetesWatchOptions options)
    {
        var loop = new WatchLoop<V1Pod>(new PodWatchApi(_cluster.Client), "shop", (_, _) => Task.CompletedTask, options, _cluster.Time, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        return (loop, stop, Task.Run(() => loop.RunAsync(stop.Token)));
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task running)
    {
        await stop.CancelAsync();
        await running;
        stop.Dispose();
    }
}

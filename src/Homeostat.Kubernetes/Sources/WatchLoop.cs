using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Homeostat.Kubernetes.Sources;

/// <summary>
/// List, then watch from the list's resourceVersion, for ever, the way client-go's reflector does: a stream that ends or drops
/// is watched again from the last resourceVersion seen (objects and bookmarks move it); 410 Gone, as an HTTP status or as an
/// ERROR event in the stream, means that version is compacted away, so the loop lists again and watches from the fresh one.
/// A watch the server has not ended by its timeoutSeconds plus <see cref="DeadlineSlack"/> (a connection dropped without a
/// FIN or RST) is ended by the loop and resumed like any other. Failures, and 410 straight after a fresh list, wait a
/// doubling back-off on the injected clock. The handler sees every object the list or the watch delivers;
/// the resourceVersion moves past an object only once its handler returned, so a failed handler sees it again.
/// </summary>
public sealed partial class WatchLoop<T>(IWatchApi<T> api, string ns, Func<T, CancellationToken, Task> handle, KubernetesWatchOptions options, TimeProvider timeProvider, ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MinimumHealthyStream = TimeSpan.FromSeconds(1);

    /// <summary>How long past the request's timeoutSeconds the loop waits for the server to end a watch before ending it itself.</summary>
    public static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(30);

    /// <summary>The resourceVersion the next watch starts from; null until listed, and after 410 Gone.</summary>
    public string? ResourceVersion { get; private set; }

    public int Lists { get; private set; }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var listed = false;
            try
            {
                if (ResourceVersion is null)
                {
                    var (items, resourceVersion) = await api.ListAsync(ns, stoppingToken);
                    foreach (var item in items)
                    {
                        await handle(item, stoppingToken);
                    }

                    ResourceVersion = string.IsNullOrEmpty(resourceVersion)
                        ? throw new InvalidOperationException($"the {api.Resource} list in {ns} carried no resourceVersion")
                        : resourceVersion;
                    Lists++;
                    listed = true;
                    LogListed(logger, api.Resource, ns, items.Count, ResourceVersion);
                }

                var started = timeProvider.GetTimestamp();
                var (delivered, gone) = await WatchOnceAsync(ResourceVersion, stoppingToken);
                if (gone)
                {
                    LogGone(logger, api.Resource, ns);
                    ResourceVersion = null;
                }

                if (delivered)
                {
                    failures = 0;
                }
                else if ((gone && listed) || (!gone && timeProvider.GetElapsedTime(started) < MinimumHealthyStream))
                {
                    // A watch that ends at once with nothing in it, again and again, must not become a busy loop.
                    failures++;
                    await BackOffAsync(failures, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.Gone)
            {
                LogGone(logger, api.Resource, ns);
                ResourceVersion = null;
                if (listed)
                {
                    // Too old straight after a fresh list: listing again at once would only hammer the server.
                    failures++;
                    try
                    {
                        await BackOffAsync(failures, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
#pragma warning disable CA1031 // A source must outlive any failure of the API server or the store; it logs and backs off.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failures++;
                var delay = Backoff(failures);
                LogFailed(logger, exception, api.Resource, ns, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<(bool Delivered, bool Gone)> WatchOnceAsync(string resourceVersion, CancellationToken stoppingToken)
    {
        // The server ends a watch after timeoutSeconds; a connection that died silently (no FIN, no RST) never would.
        using var deadline = new CancellationTokenSource(options.WatchTimeout.Value + DeadlineSlack, timeProvider);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
        KubernetesException? failure = null;
        var delivered = false;
        void OnError(Exception exception)
        {
            if (exception is KubernetesException status)
            {
                failure = status;
                stop.Cancel();
            }
            else
            {
                LogUnreadable(logger, exception, api.Resource, ns);
            }
        }

        try
        {
            var timeout = (int)Math.Max(1, options.WatchTimeout.Value.TotalSeconds);
            await foreach (var (type, item) in api.WatchAsync(ns, resourceVersion, timeout, OnError, stop.Token).WithCancellation(stop.Token))
            {
                if (type is WatchEventType.Added or WatchEventType.Modified && item is not null)
                {
                    await handle(item, stoppingToken);
                }

                if (item?.Metadata?.ResourceVersion is { Length: > 0 } next)
                {
                    ResourceVersion = next;
                }

                delivered = true;
            }
        }
        catch (OperationCanceledException) when (failure is not null && !stoppingToken.IsCancellationRequested)
        {
            // Cancelled by OnError: the ERROR event ends this watch.
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            LogDeadline(logger, api.Resource, ns, ResourceVersion);
        }

        if (failure is not null)
        {
            if (failure.Status?.Code == (int)HttpStatusCode.Gone)
            {
                return (delivered, true);
            }

            throw new InvalidOperationException($"the {api.Resource} watch in {ns} ended with an error: {failure.Status?.Code} {failure.Status?.Reason} {failure.Status?.Message}", failure);
        }

        return (delivered, false);
    }

    private Task BackOffAsync(int failures, CancellationToken stoppingToken) => Task.Delay(Backoff(failures), timeProvider, stoppingToken);

    private TimeSpan Backoff(int failures)
    {
        var initial = options.InitialBackoff.Value;
        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(initial.Ticks * factor, options.MaxBackoff.Value.Ticks));
        return delay;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Listed {Resource} in {Namespace}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, string @namespace, int count, string resourceVersion);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "The {Resource} watch in {Namespace} is too old (410 Gone); listing again")]
    private static partial void LogGone(ILogger logger, string resource, string @namespace);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Listing or watching {Resource} in {Namespace} failed; trying again in {Seconds}s")]
    private static partial void LogFailed(ILogger logger, Exception exception, string resource, string @namespace, double seconds);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "The {Resource} watch in {Namespace} outlived its timeout with no end from the server; watching again from resourceVersion {ResourceVersion}")]
    private static partial void LogDeadline(ILogger logger, string resource, string @namespace, string? resourceVersion);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Skipped an unreadable {Resource} watch event in {Namespace}")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string resource, string @namespace);
}

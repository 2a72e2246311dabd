using System.Text.RegularExpressions;
using Homeostat.Signals;

namespace Homeostat.Diagnosis;

/// <summary>
/// Deterministic, high-precision rules for the seed's classes. A rule names a class, the evidence it needs, and
/// the near-misses that must not match (connection refused is not a timeout; an unknown CA is not expiry).
/// Evidence in the alert's name or expression counts more than evidence only in free text.
/// </summary>
public sealed class RuleClassifier : IClassifierMember
{
    // Non-backtracking matching runs in time linear in the input, so hostile text cannot stall classification and no
    // timeout (which would make results depend on machine load) is needed.
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly IReadOnlyList<Rule> Rules =
    [
        // Connection pools first: pool waits often also say "timed out", and they are not a slow dependency.
        new(FailureClasses.ConnectionPoolExhausted, "connection pool exhausted",
            Pattern(@"too many (client )?connections|remaining connection slots are reserved|too many clients already|max(imum)? number of clients reached|connection pool (is )?(exhausted|full)|pool exhausted|connection is not available, request timed out|obtaining a connection from the pool|QueuePool limit|max_connections|pg_stat_activity_count|mysql_global_status_threads_connected|ConnectionPool(Exhausted|Saturat)|pool_(active|pending)_connections|could not obtain connection|cannot acquire connection|hikaricp_connections_pending|too many open connections"),
            Exclude: null),
        new(FailureClasses.Oom, "out of memory kill",
            Pattern(@"OOM ?Kill|oom[_-]kill|out of memory|OutOfMemory|heap out of memory|MemoryError\b|memory cgroup out of memory|killed process \d+.*(anon-rss|total-vm)|exit code:? 137.*memory|memory.*exit code:? 137|container_oom_events_total|cannot allocate memory|std::bad_alloc|evicted.*memory|memory.*evict|MemoryPressure|kube_pod_container_status_last_terminated_reason.*OOMKilled"),
            Exclude: Pattern(@"\bno (oom|out of memory)|oom_score_adj only")),
        new(FailureClasses.DiskFull, "disk or filesystem full",
            Pattern(@"no space left on device|ENOSPC|disk (is |almost |nearly )?full|filesystem (is |almost |nearly )?full|DiskPressure|node_filesystem_(avail|free)_bytes|node_filesystem_files_free|FilesystemSpaceFillingUp|FilesystemAlmostOutOfSpace|FilesystemAlmostOutOfFiles|PersistentVolume(Filling|Usage|AlmostFull)|kubelet_volume_stats_available_bytes|ephemeral[- ]storage|could not extend file|database or disk is full|disk usage (is )?(above|over|at|high)|DiskUsage(High|Critical)|DirectoryUsageHigh|DiskSpace(Low|Critical)|out of disk|low disk|flood[- ]stage disk watermark|disk quota exceeded|EDQUOT|no free inodes|inodes? (exhausted|usage)"),
            Exclude: Pattern(@"I/O error|input/output error|read-only file system|bad sector|smart (error|failure)")),
        new(FailureClasses.CertExpiry, "certificate expiry",
            Pattern(@"certificate (has |is )?expired|cert(ificate)? (will )?expir(e|es|ing|y)|x509: certificate has expired|probe_ssl_earliest_cert_expiry|certmanager_certificate_expiration_timestamp|ssl_cert_not_after|x509_cert_not_after|Cert(ificate)?Expir|SSLCert|TLSCert.*Expir|certificate_expiry|CERT_HAS_EXPIRED|notAfter|days until (certificate )?expir|expir(es|ing) in \d+ ?(d|days|h|hours)"),
            Exclude: Pattern(@"unknown authority|self[- ]signed|unable to get local issuer|hostname mismatch|doesn't match|does not match|not valid for name")),
        new(FailureClasses.DependencyTimeout, "a dependency timing out",
            Pattern(@"context deadline exceeded|DEADLINE_EXCEEDED|timed? ?out (while|when|waiting|after|connecting|calling|talking)|(read|connect|request|upstream|gateway|socket|call) ?time-?d? ?out|upstream request timeout|504 Gateway Time-?out|Gateway ?Timeout|SocketTimeoutException|ReadTimeout|ConnectTimeout|ETIMEDOUT|HttpClient\.Timeout|TimeoutException|operation timed out|dependency (is )?(slow|timing out)|probe_duration_seconds|DependencyTimeout|UpstreamTimeout|request_duration_seconds_bucket|latency (is )?(above|over|high)"),
            Exclude: Pattern(@"connection refused|ECONNREFUSED|no such host|NXDOMAIN|name resolution|could not resolve|connection reset|ECONNRESET|401|403|unauthori[sz]ed|forbidden|lock wait timeout|statement timeout")),
    ];

    public string Name => ClassifierNames.Rules;

    public ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Classify(signal, classes));

    public Classification Classify(Signal signal, ClassSet classes)
    {
        var text = SignalText.From(signal);
        var matches = new List<(Rule Rule, double Confidence, string Evidence)>();
        foreach (var rule in Rules)
        {
            var match = rule.Match(text);
            if (match is not null)
            {
                matches.Add((rule, match.Value.Confidence, match.Value.Evidence));
            }
        }

        if (matches.Count == 0)
        {
            return Classification.UnknownFrom(Name, "no rule matched the signal's name, labels, annotations, expression or text");
        }

        var best = matches.OrderByDescending(m => m.Confidence).First();
        var rivals = matches.Where(m => m.Rule.Class != best.Rule.Class && m.Confidence >= best.Confidence - 0.05).ToList();
        var evidence = matches.Select(m => $"{m.Rule.Class}: {m.Evidence}").ToList();
        if (rivals.Count > 0 && best.Rule != Rules[0])
        {
            // Two strong, different explanations: say so rather than pick one.
            return Classification.UnknownFrom(Name, $"rules for {best.Rule.Class} and {rivals[0].Rule.Class} both matched equally strongly") with { Evidence = evidence };
        }

        var classification = new Classification
        {
            Id = signal.Id,
            Class = best.Rule.Class,
            Confidence = best.Confidence,
            Classifier = Name,
            Reasoning = $"the signal shows {best.Rule.Description}: \"{Shorten(best.Evidence)}\"",
            Evidence = evidence,
        };
        return classes.Constrain(classification) with { Id = signal.Id };
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static Regex Pattern(string pattern) => new(pattern, Options);

    private sealed record Rule(string Class, string Description, Regex Evidence, Regex? Exclude)
    {
        public (double Confidence, string Evidence)? Match(SignalText text)
        {
            if (Exclude is not null && (Exclude.IsMatch(text.Heading) || Exclude.IsMatch(text.Body) || Exclude.IsMatch(text.Annotations)))
            {
                return null;
            }

            // Structured evidence (the alert name, its expression, its labels) is what the alert was written to detect.
            foreach (var (part, confidence) in new[] { (text.Heading, 0.95), (text.Expression, 0.93), (text.Labels, 0.9), (text.Annotations, 0.9), (text.Body, 0.88) })
            {
                var match = Evidence.Match(part);
                if (match.Success)
                {
                    return (confidence, match.Value);
                }
            }

            return null;
        }
    }
}

using System.Globalization;
using Homeostat.Audit;
using Homeostat.Catalog;
using Homeostat.Healing;
using Homeostat.Primitives;
using Homeostat.Server.Access;
using Homeostat.Signals;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Server;

/// <summary>
/// The HTTP API of the architecture. With any token configured every endpoint but the probes needs one whose role
/// grants the endpoint's right (see <see cref="AccessRoles"/>); the probes stay open for the orchestrator.
/// </summary>
public static class HomeostatApi
{
    public static IEndpointRouteBuilder MapHomeostatApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        var ingest = api.MapGroup(string.Empty).RequireAccess(AccessRight.Ingest);
        var operate = api.MapGroup(string.Empty).RequireAccess(AccessRight.Operate);
        var reads = api.MapGroup(string.Empty).RequireAccess(AccessRight.Read);

        ingest.MapPost("/signals", PostSignalsAsync);
        ingest.MapPost("/alertmanager", PostAlertmanagerAsync);

        operate.MapPost("/suspensions/resume", ResumeAsync);
        operate.MapPost("/remediations/{failureClass}/promote", PromoteAsync);
        operate.MapPost("/approvals/{id}/approve", (string id, HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken ct) => AnswerAsync(id, request, commands, caller, approve: true, ct));
        operate.MapPost("/approvals/{id}/reject", (string id, HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken ct) => AnswerAsync(id, request, commands, caller, approve: false, ct));
        operate.MapPost("/incidents/{id}/resolve", ResolveIncidentAsync);
        operate.MapPost("/incidents/{id}/label", LabelIncidentAsync);

        reads.MapGet("/incidents", ListIncidentsAsync);
        reads.MapGet("/incidents/{id}", GetIncidentAsync);
        reads.MapGet("/audit", QueryAuditAsync);
        reads.MapGet("/suspensions", ListSuspensionsAsync);
        reads.MapGet("/approvals", ListApprovalsAsync);
        reads.MapGet("/catalog", GetCatalog);

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    private static async Task<IResult> PostSignalsAsync(HttpRequest request, SignalParser parser, SignalIntake intake, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var parsed = parser.ParseDocument(body!);
        if (!parsed.IsValid)
        {
            return parsed.TooManySignals ? Problems.TooLarge(parsed.Errors) : Problems.Invalid(parsed.Errors);
        }

        var results = await intake.IngestAsync(parsed.Signals, cancellationToken);
        return Results.Json(new { results }, HomeostatJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> PostAlertmanagerAsync(HttpRequest request, SignalIntake intake, IOptions<IntakeLimits> limits, ILogger<ApiLog> logger, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var parsed = AlertmanagerWebhook.Parse(body!, limits.Value);
        if (!parsed.IsValid)
        {
            return parsed.TooManyAlerts ? Problems.TooLarge(parsed.Errors) : Problems.Invalid(parsed.Errors);
        }

        // Alertmanager delivers at least once, and every HA replica delivers too; the intake's delivery key
        // (fingerprint + startsAt) makes a repeat act once, so a 200 here is always safe to send again.
        var notification = parsed.Notification!;
        string? warning = null;
        AuditEntry? note = null;
        if (notification.TruncatedAlerts > 0)
        {
            warning = $"Alertmanager dropped {notification.TruncatedAlerts} alert(s) from group {notification.GroupKey} (receiver '{notification.Receiver}'): "
                + $"only {notification.Signals.Count} arrived; raise max_alerts on the webhook receiver (Homeostat takes up to {limits.Value.MaxSignalsPerPost} per notification)";
            note = AuditEntry.Of(new TruncatedAlertsPayload(notification.GroupKey, notification.Receiver, notification.TruncatedAlerts, notification.Signals.Count), warning, null, null);
            logger.LogWarning(
                "Alertmanager truncated group {GroupKey} from receiver {Receiver}: {TruncatedAlerts} alert(s) dropped, {ReceivedAlerts} received; raise max_alerts (up to {MaxAlerts})",
                notification.GroupKey, notification.Receiver, notification.TruncatedAlerts, notification.Signals.Count, limits.Value.MaxSignalsPerPost);
        }

        var results = await intake.IngestAsync(notification.Signals, note, cancellationToken);
        return Results.Json(new { groupKey = notification.GroupKey, truncatedAlerts = notification.TruncatedAlerts, warning, results }, HomeostatJson.Options);
    }

    private static async Task<IResult> ListIncidentsAsync(IHomeostatStore store, string? service, string? state, string? since, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new List<ContractError>();
        IncidentState? parsedState = null;
        if (state is not null)
        {
            if (IncidentStateWords.TryParse(state, out var value))
            {
                parsedState = value;
            }
            else
            {
                errors.Add(new ContractError("state", "must be one of " + string.Join(", ", Enum.GetValues<IncidentState>().Select(s => s.ToWord())), Quote(state)));
            }
        }

        var sinceTime = ParseTime("since", since, errors);
        var pageSize = Paging.Limit(limit, Paging.DefaultIncidents, errors);
        var before = Paging.IncidentCursor(cursor, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var page = await store.ListIncidentsAsync(new IncidentQuery { Service = service, State = parsedState, Since = sinceTime, Before = before, Limit = pageSize + 1 }, cancellationToken);
        var next = page.Count > pageSize ? Paging.Cursor(page[pageSize - 1]) : null;
        return Results.Json(new { incidents = page.Take(pageSize).Select(IncidentView.From), next }, HomeostatJson.Options);
    }

    private static async Task<IResult> GetIncidentAsync(string id, IHomeostatStore store, CancellationToken cancellationToken)
    {
        var incident = await store.GetIncidentAsync(id, cancellationToken);
        if (incident is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "No such incident", $"no incident has the id '{id}'");
        }

        // An incident's history is bounded by its page: the rest is at /audit?incident=ID&cursor=historyNext.
        var history = await store.QueryAuditAsync(new AuditQuery { IncidentId = id, Limit = Paging.MaxLimit + 1 }, cancellationToken);
        var historyNext = history.Count > Paging.MaxLimit ? Paging.Cursor(history[Paging.MaxLimit - 1]) : null;
        return Results.Json(
            new { incident = IncidentView.From(incident), signal = incident.Signal, classification = incident.Classification, history = history.Take(Paging.MaxLimit).Select(AuditView.From), historyNext },
            HomeostatJson.Options);
    }

    private static async Task<IResult> QueryAuditAsync(IHomeostatStore store, string? service, string? since, string? until, string? incident, string? type, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new List<ContractError>();
        var pageSize = Paging.Limit(limit, Paging.DefaultAudit, errors);
        var query = new AuditQuery
        {
            Service = service,
            IncidentId = incident,
            Since = ParseTime("since", since, errors),
            Until = ParseTime("until", until, errors),
            Type = type,
            AfterSequence = Paging.AuditCursor(cursor, errors),
            Limit = pageSize + 1,
        };
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var page = await store.QueryAuditAsync(query, cancellationToken);
        var next = page.Count > pageSize ? Paging.Cursor(page[pageSize - 1]) : null;
        return Results.Json(new { records = page.Take(pageSize).Select(AuditView.From), next }, HomeostatJson.Options);
    }

    private static async Task<IResult> ListSuspensionsAsync(IHomeostatStore store, bool? all, CancellationToken cancellationToken)
    {
        // At most one active suspension per service and class; with all=true the resumed ones are capped to the newest page.
        var suspensions = await store.ListSuspensionsAsync(activeOnly: all != true, cancellationToken);
        var shown = suspensions.OrderByDescending(s => s.CreatedAt).Take(Paging.MaxLimit).ToList();
        return Results.Json(new { suspensions = shown, truncated = suspensions.Count > shown.Count }, HomeostatJson.Options);
    }

    private static async Task<IResult> ResumeAsync(HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ContractError>();
        string? service = null, failureClass = null, by = null;
        using (var document = ParseJson(body!, "send {\"service\": \"...\", \"class\": \"...\"}", errors))
        {
            if (document is not null)
            {
                service = Name(document.RootElement, "service", errors, required: true);
                failureClass = Name(document.RootElement, "class", errors, required: true);
                by = Name(document.RootElement, "by", errors, required: false);
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var result = await commands.ResumeAsync(service!, failureClass!, caller.Attribute(by), cancellationToken);
        return result.Changed
            ? Results.Json(new { resumed = true, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status404NotFound, "Nothing to resume", result.Detail);
    }

    private static async Task<IResult> PromoteAsync(string failureClass, HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken cancellationToken)
    {
        var by = request.Query["by"].ToString();
        if (by.Length > 0 && !SignalIdentity.IsSafeName(by))
        {
            return Problems.Invalid([new ContractError("by", "may use only letters, digits and . _ - : / @", Quote(by))]);
        }

        var result = await commands.PromoteAsync(failureClass, caller.Attribute(by), cancellationToken);
        return result.Changed
            ? Results.Json(new { promoted = true, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status404NotFound, "Nothing to promote", result.Detail);
    }

    private static async Task<IResult> ListApprovalsAsync(IHomeostatStore store, CancellationToken cancellationToken)
    {
        var pending = await store.ListIncidentsAsync(new IncidentQuery { State = IncidentState.PendingApproval, Limit = Paging.MaxLimit }, cancellationToken);
        return Results.Json(new
        {
            approvals = pending.Select(i => new
            {
                id = i.Id,
                service = i.Service,
                @class = i.Classification?.Class,
                confidence = i.Classification?.Confidence,
                action = i.Action,
                detail = i.Detail,
                deadline = i.ApprovalDeadline,
            }),
        }, HomeostatJson.Options);
    }

    private static async Task<IResult> AnswerAsync(string id, HttpRequest request, OperatorCommands commands, Caller caller, bool approve, CancellationToken cancellationToken)
    {
        var (by, note, problem) = await ReadOperatorAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var result = approve
            ? await commands.ApproveAsync(id, caller.Attribute(by, note), cancellationToken)
            : await commands.RejectAsync(id, caller.Attribute(by, note), cancellationToken);
        return result.Changed
            ? Results.Json(new { incident = id, approved = approve, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status409Conflict, "Nothing to answer", result.Detail);
    }

    private static async Task<IResult> ResolveIncidentAsync(string id, HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken cancellationToken)
    {
        var (by, note, problem) = await ReadOperatorAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var result = await commands.ResolveAsync(id, caller.Attribute(by, note), cancellationToken);
        return result.Changed
            ? Results.Json(new { incident = id, resolved = true, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status409Conflict, "Cannot resolve", result.Detail);
    }

    private static async Task<IResult> LabelIncidentAsync(string id, HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ContractError>();
        string? failureClass = null, by = null;
        using (var document = ParseJson(string.IsNullOrWhiteSpace(body) ? "{}" : body, "send {\"class\": \"...\", \"by\": \"...\"}", errors))
        {
            if (document is not null)
            {
                failureClass = Name(document.RootElement, "class", errors, required: true);
                by = Name(document.RootElement, "by", errors, required: false);
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var result = await commands.LabelAsync(id, failureClass!, caller.Attribute(by), cancellationToken);
        return result.Changed
            ? Results.Json(new { incident = id, label = failureClass, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status400BadRequest, "Cannot label", result.Detail);
    }

    /// <summary>Reads an optional <c>{"by": "...", "note": "..."}</c> body naming the human who answers.</summary>
    private static async Task<(string By, string? Note, IResult? Problem)> ReadOperatorAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return ("api", null, problem);
        }

        if (string.IsNullOrWhiteSpace(body))
        {
            return ("api", null, null);
        }

        var errors = new List<ContractError>();
        using var document = ParseJson(body, "send {\"by\": \"...\", \"note\": \"...\"} or nothing", errors);
        if (document is null)
        {
            return ("api", null, Problems.Invalid(errors));
        }

        var by = Name(document.RootElement, "by", errors, required: false);
        var note = Field(document.RootElement, "note", errors, required: false);
        return errors.Count > 0 ? ("api", null, Problems.Invalid(errors)) : (by ?? "api", note?.Length > MaxNoteLength ? note[..MaxNoteLength] : note, null);
    }

    private const int MaxNoteLength = 500;

    private static IResult GetCatalog(ICatalogProvider catalog) =>
        Results.Json(new
        {
            source = catalog.Current.Source,
            version = catalog.Current.Version,
            remediations = catalog.Current.Remediations.Values.Select(r => new
            {
                @class = r.Class,
                action = r.Action,
                confidenceFloor = r.ConfidenceFloor,
                auto = r.Auto,
                dryRun = r.DryRun,
                parameters = r.Parameters.Describe(),
                specHash = r.SpecHash,
                location = r.Location.ToString(),
            }),
            classLabel = catalog.Current.Declarations.ClassLabel,
            declared = catalog.Current.Declarations.Sets.Select(set => new
            {
                @class = set.Class,
                match = set.Matchers.Select(m => m.ToString()),
                location = set.Location.ToString(),
                notifyOnly = !catalog.Current.Remediations.ContainsKey(set.Class),
            }),
        }, HomeostatJson.Options);

    private static async Task<IResult> ReadyAsync(HttpContext context, IHomeostatStore store, StoreHealth health, ICatalogProvider catalog, Escalation.NotifierSet notifiers, ILogger<ApiLog> logger, CancellationToken cancellationToken)
    {
        if (health.ProbeDue && store is IStoreWriteProbe probe)
        {
            try
            {
                await probe.ProbeWriteAsync(cancellationToken);
            }
            catch (StoreUnavailableException exception)
            {
                logger.LogWarning("Readiness probe: {Reason}", exception.Reason);
            }
            catch (StoreDamagedException damaged)
            {
                return Damaged(damaged);
            }
        }

        if (health.Reason is { } reason)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds(health);
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", reason);
        }

        try
        {
            await store.NextDueAtAsync(cancellationToken);
            var escalations = notifiers.CanPage ? $"paged through {string.Join(", ", notifiers.Names)}" : "LOG ONLY: " + Escalation.NotifierSet.LogOnlyWarning;
            return Results.Json(new { status = "ready", catalog = catalog.Current.Version, escalations, notifiers = notifiers.Names }, HomeostatJson.Options);
        }
        catch (StoreDamagedException damaged)
        {
            return Damaged(damaged);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The reason goes to the log, not to an unauthenticated caller.
            logger.LogWarning(exception, "Readiness check failed: the store does not answer");
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "the store does not answer; see the service log");
        }
    }

    /// <summary>
    /// A store that met a damaged page while running answers nothing more: not ready, with SQLite's words (no path) and
    /// what to do. It does not recover by itself, so there is no Retry-After.
    /// </summary>
    internal static IResult Damaged(StoreDamagedException damaged) => Problems.Create(
        StatusCodes.Status503ServiceUnavailable,
        "The store is damaged",
        $"the store is damaged: {damaged.Problem}; a restart refuses it: restore from a backup or run homeostat store salvage (docs/operations.md)");

    internal static string RetryAfterSeconds(StoreHealth health) =>
        ((int)Math.Ceiling(health.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the whole body within the intake limits: at most <see cref="IntakeLimits.MaxBodyBytes"/> (413), complete
    /// within <see cref="IntakeLimits.BodyReadTimeout"/> (408), as long as its Content-Length says (400), valid UTF-8
    /// (400), and of a JSON or plain-text media type when one is given (415).
    /// </summary>
    private static async Task<(string? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var services = request.HttpContext.RequestServices;
        var limits = services.GetRequiredService<IOptions<IntakeLimits>>().Value;
        var limit = limits.MaxBodyBytes;
        if (request.ContentType is { Length: > 0 } contentType && !IsAcceptedMediaType(contentType))
        {
            return (null, Problems.Create(
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"the body must be JSON: send Content-Type: application/json (got '{TerminalText.Escape(contentType, 100)}')"));
        }

        if (request.ContentLength > limit)
        {
            return (null, BodyTooLarge(limit, $"the body has {request.ContentLength} bytes"));
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var timeProvider = services.GetRequiredService<TimeProvider>();
        using var deadline = new CancellationTokenSource(limits.BodyReadTimeout.Value, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            // Count bytes, not characters: the limit is about what crosses the wire and sits in memory.
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, linked.Token)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, BodyTooLarge(limit, "the body is larger"));
                }

                buffer.Write(chunk, 0, read);
            }

            if (request.ContentLength is { } declared && buffer.Length != declared)
            {
                return (null, Problems.Invalid([new ContractError("$", $"the body ended after {buffer.Length} of the {declared} bytes its Content-Length announced")]));
            }

            try
            {
                // A byte-order mark is not part of the JSON text (RFC 8259 §8.1 lets a parser ignore it).
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                return (StrictUtf8.GetString(bytes.StartsWith(Utf8Bom) ? bytes[Utf8Bom.Length..] : bytes), null);
            }
            catch (System.Text.DecoderFallbackException exception)
            {
                return (null, Problems.Invalid([new ContractError("$", $"the body is not valid UTF-8 (at byte {Math.Max(exception.Index, 0)})")]));
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, BodyTooLarge(limit, "the body is larger"));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return (null, BodyTimedOut("it arrived slower than the server's minimum data rate"));
        }
        catch (BadHttpRequestException)
        {
            // The client ended the body before its Content-Length, or broke the chunked framing.
            return (null, Problems.Invalid([new ContractError("$", "the body ended before it was complete (shorter than its Content-Length, or a broken chunked encoding)")]));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, BodyTimedOut($"it did not arrive in full within {limits.BodyReadTimeout} (intake.limits.body_read_timeout)"));
        }
    }

    private static IResult BodyTooLarge(long limit, string what) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"{what} than the limit of {limit} bytes (intake.limits.max_body_bytes)");

    private static IResult BodyTimedOut(string why)
    {
        return Problems.Create(StatusCodes.Status408RequestTimeout, "Request body too slow", $"the request body was not read: {why}");
    }

    private static bool IsAcceptedMediaType(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses an operator body; malformed JSON or a string that is not valid Unicode is added to <paramref name="errors"/>.</summary>
    private static System.Text.Json.JsonDocument? ParseJson(string body, string hint, List<ContractError> errors)
    {
        var document = JsonText.TryParse(body, new System.Text.Json.JsonDocumentOptions { MaxDepth = 16 }, out var error);
        if (error is not null)
        {
            errors.Add(error.Field == "$" ? error with { Message = $"{error.Message}; {hint}" } : error);
        }

        return document;
    }

    /// <summary>A name or id field (service, class, by): letters, digits and . _ - : / @ only, so it cannot carry control or bidirectional characters.</summary>
    private static string? Name(System.Text.Json.JsonElement element, string name, List<ContractError> errors, bool required)
    {
        var value = Field(element, name, errors, required);
        if (value is not null && !SignalIdentity.IsSafeName(value))
        {
            errors.Add(new ContractError($"$.{name}", "may use only letters, digits and . _ - : / @ (at most 253)", Quote(value)));
            return null;
        }

        return value;
    }

    private static string Quote(string value) => IntakeBounds.Quote(value);

    private static DateTimeOffset? ParseTime(string field, string? text, List<ContractError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add(new ContractError(field, "must be an RFC 3339 time", Quote(text)));
        return null;
    }

    private static string? Field(System.Text.Json.JsonElement element, string name, List<ContractError> errors, bool required)
    {
        if (element.ValueKind == System.Text.Json.JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            return value.GetString();
        }

        if (required)
        {
            errors.Add(new ContractError($"$.{name}", "is required and must be a string"));
        }

        return null;
    }
}

/// <summary>The log category of the HTTP API.</summary>
public sealed class ApiLog;

/// <summary>An incident as the API and CLI show it, with the decision vocabulary's words.</summary>
public sealed record IncidentView(
    string Id, string Service, string State, string? Reason, string? Detail, string? Class, double? Confidence, string? Action,
    string Fingerprint, string Source, string? Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextDueAt)
{
    public static IncidentView From(Incident incident) => new(
        incident.Id, incident.Service, incident.State.ToWord(), incident.Reason, incident.Detail, incident.Classification?.Class,
        incident.Classification?.Confidence, incident.Action, incident.Fingerprint, incident.Signal.Source,
        incident.Signal.Title ?? incident.Signal.Label("alertname"), incident.CreatedAt, incident.UpdatedAt, incident.NextDueAt);
}

public sealed record AuditView(long Sequence, string Id, DateTimeOffset At, string? IncidentId, string? Service, string Type, string Actor, string Summary, System.Text.Json.JsonElement Payload, string Hash)
{
    public static AuditView From(AuditRecord record) =>
        new(record.Sequence, record.Id, record.At, record.IncidentId, record.Service, record.Type, record.Actor, record.Summary, record.PayloadJson(), record.Hash);
}

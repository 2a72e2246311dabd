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
            return Problems.Invalid(parsed.Errors);
        }

        var results = await intake.IngestAsync(parsed.Signals, cancellationToken);
        return Results.Json(new { results }, HomeostatJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> PostAlertmanagerAsync(HttpRequest request, SignalIntake intake, ILogger<ApiLog> logger, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var parsed = AlertmanagerWebhook.Parse(body!);
        if (!parsed.IsValid)
        {
            return Problems.Invalid(parsed.Errors);
        }

        // Alertmanager delivers at least once, and every HA replica delivers too; the intake's delivery key
        // (fingerprint + startsAt) makes a repeat act once, so a 200 here is always safe to send again.
        var notification = parsed.Notification!;
        string? warning = null;
        AuditEntry? note = null;
        if (notification.TruncatedAlerts > 0)
        {
            warning = $"Alertmanager dropped {notification.TruncatedAlerts} alert(s) from group {notification.GroupKey} (receiver '{notification.Receiver}'): "
                + $"only {notification.Signals.Count} arrived; set max_alerts: 0 on the webhook receiver";
            note = AuditEntry.Of(new TruncatedAlertsPayload(notification.GroupKey, notification.Receiver, notification.TruncatedAlerts, notification.Signals.Count), warning, null, null);
            logger.LogWarning(
                "Alertmanager truncated group {GroupKey} from receiver {Receiver}: {TruncatedAlerts} alert(s) dropped, {ReceivedAlerts} received; set max_alerts: 0",
                notification.GroupKey, notification.Receiver, notification.TruncatedAlerts, notification.Signals.Count);
        }

        var results = await intake.IngestAsync(notification.Signals, note, cancellationToken);
        return Results.Json(new { groupKey = notification.GroupKey, truncatedAlerts = notification.TruncatedAlerts, warning, results }, HomeostatJson.Options);
    }

    private static async Task<IResult> ListIncidentsAsync(IHomeostatStore store, string? service, string? state, string? since, int? limit, CancellationToken cancellationToken)
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
                errors.Add(new ContractError("state", "must be one of " + string.Join(", ", Enum.GetValues<IncidentState>().Select(s => s.ToWord())), $"'{state}'"));
            }
        }

        var sinceTime = ParseTime("since", since, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var incidents = await store.ListIncidentsAsync(new IncidentQuery { Service = service, State = parsedState, Since = sinceTime, Limit = limit ?? 200 }, cancellationToken);
        return Results.Json(new { incidents = incidents.Select(IncidentView.From) }, HomeostatJson.Options);
    }

    private static async Task<IResult> GetIncidentAsync(string id, IHomeostatStore store, CancellationToken cancellationToken)
    {
        var incident = await store.GetIncidentAsync(id, cancellationToken);
        if (incident is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "No such incident", $"no incident has the id '{id}'");
        }

        var history = await store.QueryAuditAsync(new AuditQuery { IncidentId = id }, cancellationToken);
        return Results.Json(new { incident = IncidentView.From(incident), signal = incident.Signal, classification = incident.Classification, history = history.Select(AuditView.From) }, HomeostatJson.Options);
    }

    private static async Task<IResult> QueryAuditAsync(IHomeostatStore store, string? service, string? since, string? until, string? incident, string? type, int? limit, CancellationToken cancellationToken)
    {
        var errors = new List<ContractError>();
        var query = new AuditQuery
        {
            Service = service,
            IncidentId = incident,
            Since = ParseTime("since", since, errors),
            Until = ParseTime("until", until, errors),
            Type = type,
            Limit = limit ?? 1000,
        };
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var records = await store.QueryAuditAsync(query, cancellationToken);
        return Results.Json(new { records = records.Select(AuditView.From) }, HomeostatJson.Options);
    }

    private static async Task<IResult> ListSuspensionsAsync(IHomeostatStore store, bool? all, CancellationToken cancellationToken) =>
        Results.Json(new { suspensions = await store.ListSuspensionsAsync(activeOnly: all != true, cancellationToken) }, HomeostatJson.Options);

    private static async Task<IResult> ResumeAsync(HttpRequest request, OperatorCommands commands, Caller caller, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ContractError>();
        string? service = null, failureClass = null, by = null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body!);
            service = Field(document.RootElement, "service", errors, required: true);
            failureClass = Field(document.RootElement, "class", errors, required: true);
            by = Field(document.RootElement, "by", errors, required: false);
        }
        catch (System.Text.Json.JsonException)
        {
            errors.Add(new ContractError("$", "malformed JSON; send {\"service\": \"...\", \"class\": \"...\"}"));
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
        var result = await commands.PromoteAsync(failureClass, caller.Attribute(by), cancellationToken);
        return result.Changed
            ? Results.Json(new { promoted = true, detail = result.Detail }, HomeostatJson.Options)
            : Problems.Create(StatusCodes.Status404NotFound, "Nothing to promote", result.Detail);
    }

    private static async Task<IResult> ListApprovalsAsync(IHomeostatStore store, CancellationToken cancellationToken)
    {
        var pending = await store.ListIncidentsAsync(new IncidentQuery { State = IncidentState.PendingApproval, Limit = 1000 }, cancellationToken);
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
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body);
            failureClass = Field(document.RootElement, "class", errors, required: true);
            by = Field(document.RootElement, "by", errors, required: false);
        }
        catch (System.Text.Json.JsonException)
        {
            errors.Add(new ContractError("$", "malformed JSON; send {\"class\": \"...\", \"by\": \"...\"}"));
        }

        if (by is not null && !SignalIdentity.IsSafeName(by))
        {
            errors.Add(new ContractError("$.by", "may use only letters, digits and . _ - : / @"));
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
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            var by = Field(document.RootElement, "by", errors, required: false);
            var note = Field(document.RootElement, "note", errors, required: false);
            if (by is not null && !SignalIdentity.IsSafeName(by))
            {
                errors.Add(new ContractError("$.by", "may use only letters, digits and . _ - : / @"));
            }

            return errors.Count > 0 ? ("api", null, Problems.Invalid(errors)) : (by ?? "api", note?.Length > 500 ? note[..500] : note, null);
        }
        catch (System.Text.Json.JsonException)
        {
            return ("api", null, Problems.Invalid([new ContractError("$", "malformed JSON; send {\"by\": \"...\", \"note\": \"...\"} or nothing")]));
        }
    }

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
        }, HomeostatJson.Options);

    private static async Task<IResult> ReadyAsync(IHomeostatStore store, ICatalogProvider catalog, Escalation.NotifierSet notifiers, ILogger<ApiLog> logger, CancellationToken cancellationToken)
    {
        try
        {
            await store.NextDueAtAsync(cancellationToken);
            var escalations = notifiers.CanPage ? $"paged through {string.Join(", ", notifiers.Names)}" : "LOG ONLY: " + Escalation.NotifierSet.LogOnlyWarning;
            return Results.Json(new { status = "ready", catalog = catalog.Current.Version, escalations, notifiers = notifiers.Names }, HomeostatJson.Options);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The reason goes to the log, not to an unauthenticated caller.
            logger.LogWarning(exception, "Readiness check failed: the store does not answer");
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Not ready", "the store does not answer; see the service log");
        }
    }

    private static async Task<(string? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"the body has {request.ContentLength} bytes; the limit is {limit}"));
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        try
        {
            // Count bytes, not characters: the limit is about what crosses the wire and sits in memory.
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"the body exceeds the limit of {limit} bytes"));
                }

                buffer.Write(chunk, 0, read);
            }

            try
            {
                return (StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return (null, Problems.Invalid([new ContractError("$", "the body is not valid UTF-8")]));
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"the body exceeds the limit of {limit} bytes"));
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

        errors.Add(new ContractError(field, "must be an RFC 3339 time", $"'{text}'"));
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

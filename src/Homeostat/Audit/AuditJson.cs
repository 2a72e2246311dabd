using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Homeostat.Primitives;

namespace Homeostat.Audit;

/// <summary>Serialises audit payloads with source-generated metadata and the contract's JSON conventions.</summary>
public static class AuditJson
{
    private static readonly AuditJsonContext Context = new(new JsonSerializerOptions(HomeostatJson.Options) { TypeInfoResolver = null });

    public static string Serialize(AuditPayload payload) => JsonSerializer.Serialize(payload, Info(payload.GetType()));

    public static T? Read<T>(AuditRecord record)
        where T : AuditPayload
    {
        var info = (JsonTypeInfo<T>)Info(typeof(T));
        try
        {
            var payload = JsonSerializer.Deserialize(record.Payload, info);
            return payload is not null && payload.Type == record.Type ? payload : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The payload of a record of <paramref name="type"/>, typed; null for an unknown type or a payload that does not read as one.</summary>
    public static AuditPayload? ReadAny(string type, string payload)
    {
        var payloadType = type switch
        {
            AuditTypes.SignalReceived => typeof(SignalReceivedPayload),
            AuditTypes.Duplicate => typeof(DuplicatePayload),
            AuditTypes.ResolvedUnmatched => typeof(ResolvedUnmatchedPayload),
            AuditTypes.Classified => typeof(ClassifiedPayload),
            AuditTypes.Guardrail => typeof(GuardrailPayload),
            AuditTypes.Decided => typeof(DecidedPayload),
            AuditTypes.DryRun or AuditTypes.ActionPreviewed => typeof(PreviewPayload),
            AuditTypes.ActionStarted => typeof(ActionStartedPayload),
            AuditTypes.ActionExecuted => typeof(ActionExecutedPayload),
            AuditTypes.Verification => typeof(VerificationPayload),
            AuditTypes.Remediated => typeof(RemediatedPayload),
            AuditTypes.Escalated => typeof(EscalatedPayload),
            AuditTypes.Notified => typeof(NotifiedPayload),
            AuditTypes.Resolved => typeof(ResolvedPayload),
            AuditTypes.Suspended => typeof(SuspendedPayload),
            AuditTypes.Resumed => typeof(ResumedPayload),
            AuditTypes.Promoted => typeof(PromotedPayload),
            AuditTypes.ApprovalRequested => typeof(ApprovalRequestedPayload),
            AuditTypes.ApprovalAnswered => typeof(ApprovalAnsweredPayload),
            AuditTypes.ReconcileFailed => typeof(ReconcileFailedPayload),
            AuditTypes.Labelled => typeof(LabelledPayload),
            AuditTypes.TruncatedAlerts => typeof(TruncatedAlertsPayload),
            _ => null,
        };
        if (payloadType is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(payload, Info(payloadType)) as AuditPayload is { } read && read.Type == type ? read : null;
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonTypeInfo Info(Type type) =>
        Context.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type.Name} is not registered in {nameof(AuditJsonContext)}");
}

[JsonSerializable(typeof(SignalReceivedPayload))]
[JsonSerializable(typeof(DuplicatePayload))]
[JsonSerializable(typeof(ResolvedUnmatchedPayload))]
[JsonSerializable(typeof(ClassifiedPayload))]
[JsonSerializable(typeof(GuardrailPayload))]
[JsonSerializable(typeof(DecidedPayload))]
[JsonSerializable(typeof(PreviewPayload))]
[JsonSerializable(typeof(ActionStartedPayload))]
[JsonSerializable(typeof(ActionExecutedPayload))]
[JsonSerializable(typeof(VerificationPayload))]
[JsonSerializable(typeof(RemediatedPayload))]
[JsonSerializable(typeof(EscalatedPayload))]
[JsonSerializable(typeof(NotifiedPayload))]
[JsonSerializable(typeof(ResolvedPayload))]
[JsonSerializable(typeof(SuspendedPayload))]
[JsonSerializable(typeof(ResumedPayload))]
[JsonSerializable(typeof(PromotedPayload))]
[JsonSerializable(typeof(ApprovalRequestedPayload))]
[JsonSerializable(typeof(ApprovalAnsweredPayload))]
[JsonSerializable(typeof(ReconcileFailedPayload))]
[JsonSerializable(typeof(LabelledPayload))]
[JsonSerializable(typeof(TruncatedAlertsPayload))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;

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

    private static JsonTypeInfo Info(Type type) =>
        Context.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type.Name} is not registered in {nameof(AuditJsonContext)}");
}

[JsonSerializable(typeof(SignalReceivedPayload))]
[JsonSerializable(typeof(DuplicatePayload))]
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

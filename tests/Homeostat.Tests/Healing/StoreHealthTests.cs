using Homeostat.Audit;
using Homeostat.Healing;
using Homeostat.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Homeostat.Tests.Healing;

public sealed class StoreHealthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AFailedWrite_MarksItUnwritable_UntilAWriteSucceeds()
    {
        var health = new StoreHealth(_time);

        health.WriteFailed("disk full");

        health.IsWritable.ShouldBeFalse();
        health.Reason.ShouldBe("disk full");
        health.WriteSucceeded();
        health.IsWritable.ShouldBeTrue();
        health.Reason.ShouldBeNull();
    }

    [Fact]
    public void TheProbeBackoff_StartsAtFiveSeconds_DoublesOnEachFailure_UpToAMinute()
    {
        var health = new StoreHealth(_time);
        var seen = new List<TimeSpan>();

        for (var i = 0; i < 7; i++)
        {
            health.WriteFailed("disk full");
            seen.Add(health.RetryAfter);
            health.ProbeDue.ShouldBeFalse();
            _time.Advance(health.RetryAfter);
            health.ProbeDue.ShouldBeTrue();
        }

        seen.Select(s => (int)s.TotalSeconds).ShouldBe([5, 10, 20, 40, 60, 60, 60]);
    }

    [Fact]
    public void AfterRecovery_TheNextFailureStartsTheBackoffAgain()
    {
        var health = new StoreHealth(_time);
        health.WriteFailed("a");
        health.WriteFailed("b");
        health.WriteSucceeded();

        health.WriteFailed("c");

        health.RetryAfter.ShouldBe(StoreHealth.FirstBackoff);
    }
}

public sealed class DuplicatePayloadTests
{
    [Fact]
    public void AVersionOneDuplicate_ReadsWithItsSignalAndNoReference()
    {
        var record = new AuditRecord
        {
            Sequence = 1, Id = "a", At = DateTimeOffset.UnixEpoch, Type = AuditTypes.Duplicate, Actor = "homeostat", Summary = "repeated",
            Payload = """{"signal": {"id": "s1", "source": "alertmanager", "labels": {"alertname": "x"}}, "refired": true}""",
            PreviousHash = "", Hash = "",
        };

        var payload = record.Read<DuplicatePayload>()!;

        payload.SchemaVersion.ShouldBeLessThan(DuplicatePayload.ReferenceVersion);
        payload.Signal!.Id.ShouldBe("s1");
        payload.Refired.ShouldBeTrue();
        payload.Delivery.ShouldBeNull();
    }

    [Fact]
    public void ANewDuplicate_ReferencesTheDeliveryWithoutTheSignal()
    {
        var signal = new Signal { Id = "s1", Source = "alertmanager", Labels = new Dictionary<string, string> { ["big"] = new string('x', 4000) }, StartsAt = DateTimeOffset.UnixEpoch };

        var json = AuditJson.Serialize(DuplicatePayload.Of(signal, "fp"));

        json.Length.ShouldBeLessThan(500);
        json.ShouldContain("\"v\":2");
        json.ShouldContain("\"deliveryKey\":\"fp@1970-01-01T00:00:00.0000000Z\"");
    }
}

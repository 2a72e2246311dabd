using Homeostat.Diagnosis;
using Homeostat.Signals;
using Microsoft.Extensions.Logging.Abstractions;

namespace Homeostat.Tests.Diagnosis;

public sealed class ClassifierWarmupTests
{
    [Fact]
    public async Task StartAsync_RunsEveryLocalMemberOnce_AndNeverTheLlm()
    {
        var rules = new CountingMember(ClassifierNames.Rules);
        var model = new CountingMember(ClassifierNames.Model);
        var llm = new CountingMember(ClassifierNames.Llm);
        var warmup = new ClassifierWarmup([rules, model, llm], new FixedClasses(), TimeProvider.System, NullLogger<ClassifierWarmup>.Instance);

        await warmup.StartAsync(CancellationToken.None);

        rules.Calls.ShouldBe(1);
        model.Calls.ShouldBe(1);
        llm.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task StartAsync_AMemberThatThrows_IsLoggedAndTheOthersStillWarmUp()
    {
        var broken = new CountingMember(ClassifierNames.Model) { Failure = new InvalidDataException("model file is corrupt") };
        var rules = new CountingMember(ClassifierNames.Rules);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ClassifierWarmup>();
        var warmup = new ClassifierWarmup([broken, rules], new FixedClasses(), TimeProvider.System, logger);

        await warmup.StartAsync(CancellationToken.None);

        rules.Calls.ShouldBe(1);
        logger.Collector.GetSnapshot().ShouldContain(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("model") && r.Exception is InvalidDataException);
    }

    [Fact]
    public async Task StartAsync_AMemberTimingOutOnItsOwn_DoesNotStopStartUp()
    {
        var timingOut = new CountingMember(ClassifierNames.Model) { Failure = new TaskCanceledException("model load timed out") };
        var rules = new CountingMember(ClassifierNames.Rules);
        var warmup = new ClassifierWarmup([timingOut, rules], new FixedClasses(), TimeProvider.System, NullLogger<ClassifierWarmup>.Instance);

        await warmup.StartAsync(CancellationToken.None);

        rules.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task StartAsync_HostStopping_StopsWarmingUp()
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        var member = new CountingMember(ClassifierNames.Rules) { Failure = new OperationCanceledException(stopping.Token) };
        var warmup = new ClassifierWarmup([member], new FixedClasses(), TimeProvider.System, NullLogger<ClassifierWarmup>.Instance);

        await Should.ThrowAsync<OperationCanceledException>(() => warmup.StartAsync(stopping.Token));
    }

    private sealed class FixedClasses : IClassSetProvider
    {
        public ClassSet Current { get; } = new(FailureClasses.Seed);
    }

    private sealed class CountingMember(string name) : IClassifierMember
    {
        public int Calls { get; private set; }

        public Exception? Failure { get; init; }

        public string Name => name;

        public ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken)
        {
            Calls++;
            if (Failure is not null)
            {
                throw Failure;
            }

            return ValueTask.FromResult(new Classification { Class = Classification.Unknown, Confidence = 0, Classifier = name, Reasoning = "counted" });
        }
    }
}

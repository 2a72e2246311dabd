using System.ClientModel;
using System.Globalization;
using Homeostat.Diagnosis;
using Homeostat.Signals;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Homeostat.Llm;

/// <summary>
/// Asks a chat model (through <see cref="IChatClient"/>) to put a signal into one class of the closed list. The model
/// only ever picks from that list; it never sees or chooses actions. Its reply is untrusted input: anything that is not
/// exactly a class from the list with a confidence in [0, 1] and a reason, arriving within the timeout, becomes
/// <c>unknown</c> with the cause. When the signal itself tries to instruct the model, the confidence is capped so the
/// attempt cannot carry a decision past the catalog's floors.
/// </summary>
public sealed partial class LlmClassifier : IClassifierMember
{
    /// <summary>The highest confidence an answer may keep when the signal contains instruction-like text.</summary>
    public const double InstructionLikeConfidenceCap = 0.5;

    public const string InstructionLikeEvidence = "signal text contains instruction-like content; confidence capped";

    private readonly IChatClient _chat;
    private readonly IOptions<LlmOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LlmClassifier> _logger;
    private readonly string? _secret;

    public LlmClassifier(
        [FromKeyedServices(LlmServiceCollectionExtensions.ChatClientKey)] IChatClient chat,
        IOptions<LlmOptions> options,
        TimeProvider timeProvider,
        ILogger<LlmClassifier> logger)
    {
        _chat = chat;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;

        // Read only to scrub it from error text that might echo a request; it is never logged or recorded.
        var keyEnv = options.Value.ApiKeyEnv;
        _secret = string.IsNullOrEmpty(keyEnv) ? null : Environment.GetEnvironmentVariable(keyEnv);
    }

    public string Name => ClassifierNames.Llm;

    public async ValueTask<Classification> ClassifyAsync(Signal signal, ClassSet classes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var settings = _options.Value;
        var instructionLike = InstructionDetector.Find(signal, classes);
        if (instructionLike.Count > 0)
        {
            Log.InstructionLikeContent(_logger, signal.Id, string.Join(", ", instructionLike));
        }

        if (classes.Classes.Count <= 1)
        {
            return Unknown(signal, "the closed list has no class besides unknown, so the model was not asked", instructionLike);
        }

        var prompt = LlmPrompt.For(signal, classes, settings.MaxSignalChars, settings.Model);
        TimeSpan timeout = settings.Timeout;
        ChatResponse response;
        using (var deadline = new CancellationTokenSource(timeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
        {
            try
            {
                response = await _chat.GetResponseAsync(prompt.Messages, prompt.Options, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any failure of the model or its endpoint is a value (unknown), never an exception out of the classifier.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return Unknown(signal, Cause(e, deadline.IsCancellationRequested, settings.Timeout), instructionLike);
            }
        }

        if (!LlmReply.TryParse(response.Text, classes, out var verdict, out var cause))
        {
            if (response.FinishReason == ChatFinishReason.Length)
            {
                cause += " (the reply was cut off at the token limit)";
            }

            return Unknown(signal, cause, instructionLike);
        }

        var evidence = new List<string>
        {
            $"the model answered {verdict.Class} with confidence {Format(verdict.Confidence)}",
        };
        var confidence = verdict.Confidence;
        if (instructionLike.Count > 0)
        {
            confidence = Math.Min(confidence, InstructionLikeConfidenceCap);
            evidence.Add(InstructionLikeEvidence);
            evidence.Add($"instruction-like content: {string.Join(", ", instructionLike)}");
        }

        if (prompt.Truncated)
        {
            evidence.Add($"the signal was cut to {settings.MaxSignalChars} characters for the model");
        }

        var classification = new Classification
        {
            Id = signal.Id,
            Class = verdict.Class,
            Confidence = confidence,
            Classifier = Name,
            Reasoning = verdict.Reasoning.Length > 0 ? verdict.Reasoning : $"the model chose {verdict.Class} without giving a reason",
            Evidence = evidence,
        };
        Log.Classified(_logger, signal.Id, classification.Class, classification.Confidence);
        return classes.Constrain(classification) with { Id = signal.Id };
    }

    private Classification Unknown(Signal signal, string cause, IReadOnlyList<string> instructionLike)
    {
        cause = Scrub(cause);
        Log.AnswerNotUsed(_logger, signal.Id, cause);
        var evidence = new List<string> { cause };
        if (instructionLike.Count > 0)
        {
            evidence.Add(InstructionLikeEvidence);
            evidence.Add($"instruction-like content: {string.Join(", ", instructionLike)}");
        }

        return Classification.UnknownFrom(Name, $"the LLM's answer was not used: {cause}") with { Id = signal.Id, Evidence = evidence };
    }

    private static string Cause(Exception exception, bool deadlinePassed, Primitives.Duration timeout)
    {
        if (deadlinePassed)
        {
            return $"the model did not answer within the timeout of {timeout}";
        }

        return exception switch
        {
            ClientResultException { Status: > 0 } e => $"the model endpoint answered HTTP {e.Status}",
            HttpRequestException { StatusCode: { } status } => $"the model endpoint answered HTTP {(int)status}",
            HttpRequestException e => $"the model endpoint could not be reached: {Shorten(e.Message)}",
            OperationCanceledException => "the request to the model was cancelled before an answer arrived (network timeout)",
            _ => $"the chat client failed: {exception.GetType().Name}: {Shorten(exception.Message)}",
        };
    }

    /// <summary>Belt and braces: no error text may carry the key, whatever a client library puts in its messages.</summary>
    private string Scrub(string text) =>
        string.IsNullOrEmpty(_secret) ? text : text.Replace(_secret, "***", StringComparison.Ordinal);

    private static string Shorten(string text)
    {
        var clean = LlmReply.Clean(text);
        return clean.Length <= 200 ? clean : clean[..199] + "…";
    }

    private static string Format(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "LLM classification of signal {SignalId} gave unknown: {Cause}")]
        public static partial void AnswerNotUsed(ILogger logger, string signalId, string cause);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "LLM classified signal {SignalId} as {Class} ({Confidence:0.00})")]
        public static partial void Classified(ILogger logger, string signalId, string @class, double confidence);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Signal {SignalId} contains instruction-like content ({Kinds}); the LLM's confidence is capped")]
        public static partial void InstructionLikeContent(ILogger logger, string signalId, string kinds);
    }
}

using System.ComponentModel.DataAnnotations;
using Homeostat.Primitives;
using Microsoft.Extensions.Options;

namespace Homeostat.Signals;

/// <summary>
/// The one set of bounds every intake path applies to text from outside (<c>intake.limits</c>): the signals API, the
/// Alertmanager webhook and the sources that build signals from what other systems report. A value past a bound is
/// refused with the field's path, never truncated silently.
/// </summary>
public sealed class IntakeLimits
{
    public const string Section = "Intake:Limits";

    /// <summary>The largest request body, in bytes; a larger one is answered 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Signals in one post (alerts of one Alertmanager notification, or one batch); more is answered 413.</summary>
    [Range(1, 100_000)]
    public int MaxSignalsPerPost { get; set; } = 1000;

    /// <summary>Labels of one signal, and separately annotations of one signal.</summary>
    [Range(1, 10_000)]
    public int MaxLabels { get; set; } = 128;

    /// <summary>Characters in a label or annotation name.</summary>
    [Range(1, 65_536)]
    public int MaxLabelNameLength { get; set; } = 256;

    /// <summary>Characters in a label value.</summary>
    [Range(1, 1024 * 1024)]
    public int MaxLabelValueLength { get; set; } = 4096;

    /// <summary>Characters in an annotation value (descriptions and runbook text run longer than label values).</summary>
    [Range(1, 1024 * 1024)]
    public int MaxAnnotationValueLength { get; set; } = 16 * 1024;

    /// <summary>Characters in a title or alert name.</summary>
    [Range(1, 65_536)]
    public int MaxTitleLength { get; set; } = 512;

    /// <summary>Characters in a signal's text (a description or summary).</summary>
    [Range(1, 1024 * 1024)]
    public int MaxTextLength { get; set; } = 64 * 1024;

    /// <summary>
    /// How long a request body may take to arrive in full; a body still incomplete then is answered 408. A body that
    /// ends before its Content-Length is answered 400 at once.
    /// </summary>
    public Duration BodyReadTimeout { get; set; } = Duration.Parse("10s");

    /// <summary>The defaults, for parsers built outside dependency injection (offline commands and tests).</summary>
    public static IntakeLimits Default { get; } = new();
}

public sealed class IntakeLimitsValidator : IValidateOptions<IntakeLimits>
{
    public ValidateOptionsResult Validate(string? name, IntakeLimits options)
    {
        var timeout = options.BodyReadTimeout.Value;
        return timeout < TimeSpan.FromMilliseconds(100) || timeout > TimeSpan.FromMinutes(10)
            ? ValidateOptionsResult.Fail($"intake.limits.body_read_timeout must be between 100ms and 10m (got {options.BodyReadTimeout})")
            : ValidateOptionsResult.Success;
    }
}

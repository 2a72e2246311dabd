using Microsoft.ML.Data;

namespace Homeostat.Learning;

/// <summary>One row the model trains on or predicts for.</summary>
public sealed class ModelInput
{
    public string Head { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public string Label { get; set; } = string.Empty;
}

public sealed class ModelOutput
{
    [ColumnName("PredictedLabel")]
    public string PredictedLabel { get; set; } = string.Empty;

    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}

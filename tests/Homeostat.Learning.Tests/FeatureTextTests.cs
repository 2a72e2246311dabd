using System.Text;

namespace Homeostat.Learning.Tests;

public sealed class FeatureTextTests
{
    [Theory]
    [InlineData("peak memory 34% of limit", "peak memory 0 pctlow of limit")]
    [InlineData("Volume /data at 97.1 % capacity", "volume data at 0 0 pcthigh capacity")]
    [InlineData("heap at 85% of max", "heap at 0 pcthigh of max")]
    [InlineData("usage 75% of quota", "usage 0 of quota")]
    [InlineData("Process running mem=2100M(205.1%)", "process running mem 0 m 0 0 pcthigh")]
    public void AppendWords_KeepsWhetherAPercentageIsNearALimit(string text, string expected)
    {
        var builder = new StringBuilder();

        FeatureText.AppendWords(builder, text, FeatureText.MaxBodyLength);

        string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).ShouldBe(expected);
    }

    [Fact]
    public void AppendWords_WithoutPercentages_SplitsIdentifiersAndHidesNumbers()
    {
        var builder = new StringBuilder();

        FeatureText.AppendWords(builder, "container_memory_working_set_bytes > 0.9 KubeContainerOOMKilled", FeatureText.MaxHeadLength);

        string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ShouldBe("container memory working set bytes 0 0 kube container oomkilled");
    }
}

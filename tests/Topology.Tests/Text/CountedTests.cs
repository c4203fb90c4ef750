using CrossClusterIac.Topology.Text;

namespace CrossClusterIac.Tests.Topology.Text;

public class CountedTests
{
    [Theory]
    [InlineData(0, "region", null, "0 regions")]
    [InlineData(1, "region", null, "1 region")]
    [InlineData(2, "certificate", null, "2 certificates")]
    [InlineData(1, "replica", null, "1 replica")]
    [InlineData(3, "process", "processes", "3 processes")]
    public void ACountTakesItsNounInTheNumberItNeeds(long count, string noun, string? plural, string expected) =>
        Assert.Equal(expected, Counted.Of(count, noun, plural));
}

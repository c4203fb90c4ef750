using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Tests.Topology;

/// <summary>What a region whose address is discovered falls back to when its cluster does not answer.</summary>
public sealed class LastKnownAddressesTests
{
    [Fact]
    public void EachRegionsPoolerHostIsReadFromTheLastDeploymentsRegions()
    {
        const string Regions = """
            [{"name":"eu","role":"primary","cluster":"pg-eu","instance":{"host":"192.0.2.10","port":30432,"serverName":"pg-eu-rw"},
              "pooler":{"host":"192.0.2.10","port":30433,"serverName":"pg-eu-pooler-rw"},"serverCaCertificate":"x","clientCaCertificate":"y","clients":{}},
             {"name":"us","role":"replica","cluster":"pg-us","instance":{"host":"192.0.2.11","port":30432,"serverName":"pg-us-rw"},
              "pooler":{"host":"192.0.2.11","port":30433,"serverName":"pg-us-pooler-rw"},"serverCaCertificate":"x","clientCaCertificate":"y","clients":{}}]
            """;

        var addresses = LastKnownAddresses.Of(Regions);

        Assert.Equal(new Dictionary<string, string> { ["eu"] = "192.0.2.10", ["us"] = "192.0.2.11" }, addresses);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{\"regions\":")]
    [InlineData("{}")]
    public void NoOutputOrOneInAnotherShapeGivesNoFallback(string? json) => Assert.Empty(LastKnownAddresses.Of(json));
}

using System.Text.Json;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>Issue 13: <c>--rtt</c>, <c>--jitter</c> and <c>sandbox link</c> refuse what they cannot do, with exit 2 and the option named.</summary>
public sealed class LinkCommandLineTests
{
    [Theory]
    [InlineData("80", "--rtt: '80' is not a duration")]
    [InlineData("11s", "--rtt: '11s' is not a duration of at most 10000ms")]
    [InlineData("1.2345s", "--rtt: '1.2345s' is not a duration")]
    [InlineData("eu:mars=10ms", "--rtt: 'eu:mars' is not a link of this sandbox")]
    [InlineData("eu:eu=10ms", "--rtt: 'eu:eu' is not a link of this sandbox")]
    [InlineData("eu=10ms", "--rtt: 'eu=10ms' is neither a duration")]
    public async Task ABadRoundTripExitsTwoNamingTheOption(string value, string expected)
    {
        var directory = TemporaryDirectory.NewPath();
        var (exitCode, _, error) = await SandboxCommandLine.RunAsync("up", "--dir", directory, "--rtt", value);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task ARegionNamedLikeTheClientIsRefused()
    {
        var (exitCode, _, error) = await SandboxCommandLine.RunAsync("up", "--dir", TemporaryDirectory.NewPath(), "--regions", "eu,client");

        Assert.Equal(2, exitCode);
        Assert.Contains("--regions: 'client' names where verify and the clients run", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkCutsHealsAndRefusesWhatItCannotDo()
    {
        var directory = TemporaryDirectory.NewPath();
        try
        {
            Assert.Equal(0, (await SandboxCommandLine.RunAsync("up", "--dir", directory, "--rtt", "30ms", "--rtt", "eu:us=90ms")).ExitCode);

            var (cutExit, cut, _) = await SandboxCommandLine.RunAsync("link", "us", "eu", "--one-way", "--dir", directory, "--output", "json");
            Assert.Equal(0, cutExit);
            var link = JsonDocument.Parse(cut).RootElement.GetProperty("links")[0];
            Assert.Equal("losing us→eu", link.GetProperty("state").GetString());
            Assert.Equal(90, link.GetProperty("roundTripMs").GetDouble());
            Assert.NotEqual(JsonValueKind.Null, link.GetProperty("cutSince").ValueKind);

            var (statusExit, status, _) = await SandboxCommandLine.RunAsync("status", "--dir", directory);
            Assert.Equal(0, statusExit);
            Assert.Contains("link client–eu", status, StringComparison.Ordinal);
            Assert.Contains("30ms", status, StringComparison.Ordinal);
            Assert.Contains("losing us→eu since", status, StringComparison.Ordinal);

            var (healExit, healed, _) = await SandboxCommandLine.RunAsync("link", "eu", "us", "--up", "--rtt", "150ms", "--dir", directory);
            Assert.Equal(0, healExit);
            Assert.Contains("rtt 150ms", healed, StringComparison.Ordinal);
            Assert.DoesNotContain("since", healed, StringComparison.Ordinal);

            var (bothExit, _, both) = await SandboxCommandLine.RunAsync("link", "eu", "us", "--down", "--up", "--dir", directory);
            Assert.Equal(2, bothExit);
            Assert.Contains("give one of --down, --up and --one-way", both, StringComparison.Ordinal);

            var (unknownExit, _, unknown) = await SandboxCommandLine.RunAsync("link", "eu", "mars", "--down", "--dir", directory);
            Assert.Equal(2, unknownExit);
            Assert.Contains("no link between eu and mars", unknown, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, (await SandboxCommandLine.RunAsync("down", "--dir", directory)).ExitCode);
        }

        Assert.Empty(ServerProcesses.Mentioning(directory));
    }
}

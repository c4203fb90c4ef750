using CrossClusterIac.Render;

namespace CrossClusterIac.Tests.Topology.Manifests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RenderCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-render-").FullName;

    [Fact]
    public async Task RendersEveryRegionWithoutSecretsByDefault()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("prod"));

        Assert.Equal(0, exitCode);
        Assert.Equal(["# region: eu", "# region: us", "# region: ap"], output.Split('\n').Where(l => l.StartsWith("# region:", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.Contains("kind: Cluster", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        Assert.Contains("# left out: pg-eu-server-tls", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegionsSayWhichPeerAddressPulumiDiscovers()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("dev"));

        Assert.Equal(0, exitCode);
        var notes = output.Split('\n').Where(l => l.Contains("address is 'auto'", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, notes.Count);
        Assert.StartsWith("# region us's address", notes[0], StringComparison.Ordinal);
        Assert.StartsWith("# region eu's address", notes[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncludeSecretsWritesOwnerOnlyFilesPerRegion()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("dev"), "--out", _directory, "--include-secrets");

        Assert.Equal(0, exitCode);
        Assert.Equal([Path.Combine(_directory, "eu.yaml"), Path.Combine(_directory, "us.yaml")], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var file in Directory.GetFiles(_directory))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(7, File.ReadLines(file).Count(l => l == "kind: Secret"));
        }
    }

    [Fact]
    public async Task BadConfigExitsTwoNamingTheKey()
    {
        var stackFile = Path.Combine(_directory, "Pulumi.bad.yaml");
        var dev = await File.ReadAllTextAsync(RepositoryFiles.StackFile("dev"));
        await File.WriteAllTextAsync(stackFile, dev.Replace("primaryRegion: eu", "primaryRegion: mars", StringComparison.Ordinal));

        var (exitCode, output, error) = await RunAsync("--stack-file", stackFile);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("primaryRegion", error, StringComparison.Ordinal);
        Assert.Contains("mars", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingStackFileExitsTwoNamingIt()
    {
        var (exitCode, _, error) = await RunAsync("--stack-file", Path.Combine(_directory, "Pulumi.none.yaml"));

        Assert.Equal(2, exitCode);
        Assert.Contains("Pulumi.none.yaml: cannot read the stack file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingStackFileOptionExitsTwo()
    {
        var (exitCode, _, error) = await RunAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("--stack-file", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RenderCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}

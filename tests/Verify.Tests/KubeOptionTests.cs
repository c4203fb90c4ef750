using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary><c>--kube</c> and its options: refusals exit 2 naming the option and the form it takes, before any check runs.</summary>
public sealed class KubeOptionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-kube-").FullName;

    // Each refusal below is about the contexts, with a kubeconfig present; an absent one is a refusal of its own.
    private readonly string _kubeconfig;

    public KubeOptionTests()
    {
        _kubeconfig = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(_kubeconfig, "apiVersion: v1\nkind: Config\n");
    }

    [Theory]
    [InlineData("eu")]
    [InlineData("eu=")]
    [InlineData("=kind-k8s-eu")]
    public async Task AContextNotOfTheFormRegionEqualsContextExitsTwoNamingTheForm(string value)
    {
        var (exitCode, output, error) = await BadOutputsDocumentTests.RunAsync("--outputs", "-", "--kube", "--kube-context", value, "--kubeconfig", _kubeconfig);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal($"verify: --kube-context {value}: give REGION=CONTEXT, e.g. --kube-context eu=kind-k8s-eu", error.Trim());
    }

    [Fact]
    public async Task TwoContextsForOneRegionExitTwo()
    {
        var (exitCode, _, error) = await BadOutputsDocumentTests.RunAsync("--outputs", "-", "--kube", "--kube-context", "eu=a", "--kube-context", "eu=b", "--kubeconfig", _kubeconfig);

        Assert.Equal(2, exitCode);
        Assert.Contains("--kube-context eu=b: region 'eu' already has context 'a'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegionWithoutAContextExitsTwoNamingIt()
    {
        var outputs = await OutputsFileAsync();

        var (exitCode, output, error) = await BadOutputsDocumentTests.RunAsync("--outputs", outputs, "--kube", "--kube-context", "eu=kind-k8s-eu", "--kubeconfig", _kubeconfig);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal("verify: --kube: region 'us' has no kubeconfig context; give --kube-context us=CONTEXT", error.Trim());
    }

    [Fact]
    public async Task AContextForARegionTheOutputsDoNotHoldExitsTwo()
    {
        var outputs = await OutputsFileAsync();

        var (exitCode, _, error) = await BadOutputsDocumentTests.RunAsync("--outputs", outputs, "--kube", "--kube-context", "eu=a", "--kube-context", "us=b", "--kube-context", "ap=c", "--kubeconfig", _kubeconfig);

        Assert.Equal(2, exitCode);
        Assert.Contains("--kube-context ap=c: the outputs have no region 'ap' (regions: eu, us)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kube-context", "eu=kind-k8s-eu")]
    [InlineData("--kubeconfig", "/etc/kubeconfig")]
    [InlineData("--kube-namespace", "databases")]
    public async Task AKubeOptionWithoutKubeExitsTwoRatherThanBeingIgnored(string option, string value)
    {
        var (exitCode, _, error) = await BadOutputsDocumentTests.RunAsync("--outputs", "-", option, value);

        Assert.Equal(2, exitCode);
        Assert.Equal($"verify: {option}: only with --kube, which reads CNPG's view; add --kube", error.Trim());
    }

    [Fact]
    public async Task AKubeconfigThatDoesNotExistExitsTwoNamingIt()
    {
        var missing = Path.Combine(_directory, "absent-kubeconfig");

        var (exitCode, _, error) = await BadOutputsDocumentTests.RunAsync("--outputs", "-", "--kube", "--kubeconfig", missing, "--kube-context", "eu=a");

        Assert.Equal(2, exitCode);
        Assert.Contains($"--kubeconfig {missing} does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeWithoutAnyKubeconfigExitsTwoNamingWhereItLooked()
    {
        // Neither file KUBECONFIG lists exists: nothing could be read, which is bad input, not a failed check per region.
        var variable = $"{Path.Combine(_directory, "a")}:{Path.Combine(_directory, "b")}";
        using var verify = VerifyProcess.Start(["--outputs", await OutputsFileAsync(), "--kube", "--kube-context", "eu=a", "--kube-context", "us=b"], environment: new Dictionary<string, string> { ["KUBECONFIG"] = variable });

        var exitCode = await verify.ExitCodeAsync(TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 2, $"exit {exitCode}: {verify.Error}");
        Assert.Contains($"--kube: no kubeconfig: KUBECONFIG ({variable}) does not exist; give --kubeconfig FILE", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutKubeTheSuiteHasNoCnpgCheck()
    {
        await using var context = new CheckContext(CrossClusterIac.Topology.Outputs.TopologyOutputsJson.Parse(BadOutputsDocumentTests.ValidDocument.Value), new CrossClusterIac.Verify.VerifyOptions());

        Assert.DoesNotContain(CheckSuite.For(context), c => c.Name.StartsWith("cnpg-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithKubeEachRegionGetsItsCnpgChecksAndOnlyTheReplicaTheStreamingOne()
    {
        var kube = new KubeOptions(new Dictionary<string, string> { ["eu"] = "kind-k8s-eu", ["us"] = "kind-k8s-us" }, null, "default");
        await using var context = new CheckContext(CrossClusterIac.Topology.Outputs.TopologyOutputsJson.Parse(BadOutputsDocumentTests.ValidDocument.Value), new CrossClusterIac.Verify.VerifyOptions { Kube = kube });

        var cnpg = CheckSuite.For(context).Where(c => c.Name.StartsWith("cnpg-", StringComparison.Ordinal)).Select(c => $"{c.Name} {c.Region}");

        Assert.Equal(
            ["cnpg-status eu", "cnpg-current-primary eu", "cnpg-pooler-status eu", "cnpg-status us", "cnpg-current-primary us", "cnpg-ready-but-not-streaming us", "cnpg-pooler-status us"],
            cnpg);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> OutputsFileAsync()
    {
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, BadOutputsDocumentTests.ValidDocument.Value);
        return file;
    }
}

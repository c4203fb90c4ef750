using YamlDotNet.Core;
using CrossClusterIac.Render;

namespace CrossClusterIac.Tests.Topology.Manifests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RenderCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-render-").FullName;

    [Fact]
    public async Task RendersEveryRegionWithoutSecretsByDefault()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("prod"), "--address", "eu=lb-eu.example.com", "--address", "us=lb-us.example.com");

        Assert.Equal(0, exitCode);
        Assert.Equal(["# region: eu", "# region: us", "# region: ap"], output.Split('\n').Where(l => l.StartsWith("# region:", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.Contains("kind: Cluster", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        Assert.Contains("# left out: pg-eu-server-tls", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev", "region eu's read-write address", "--address eu=ADDRESS")]
    [InlineData("prod", "region eu's read-write address is not known before deployment (a LoadBalancer's address is assigned by the cloud)", "--resolve")]
    public async Task AnAddressTheClusterAssignsIsNeverRenderedAsAPlaceholder(string stack, string region, string option)
    {
        var (exitCode, output, error) = await RunAsync("--stack-file", RepositoryFiles.StackFile(stack));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(region, error, StringComparison.Ordinal);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.DoesNotContain("auto", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuppliedAddressesBecomeTheTwinsAddresses()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("dev"), "--address", "eu=172.18.0.2", "--address", "us.rw=172.18.0.3", "--address", "us.pooler=fd00::3");

        Assert.Equal(0, exitCode);
        var regions = output.Split("# region: ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("- 172.18.0.2", regions.Single(r => r.StartsWith("us", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("- 172.18.0.3", regions.Single(r => r.StartsWith("eu", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("addressType: IPv6", regions.Single(r => r.StartsWith("eu", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("auto", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--address", "eu=10.0.0.5", "reports a hostname (loadBalancer.ingress: hostname)")]
    [InlineData("--address", "mars=10.0.0.5", "'mars' is not a region")]
    [InlineData("--address", "eu:10.0.0.5", "expected REGION=ADDRESS")]
    [InlineData("--address", "eu=10.1", "is neither an IPv4")]
    public async Task ABadAddressExitsTwoNamingTheRegionAndTheFix(string option, string value, string message)
    {
        var (exitCode, output, error) = await RunAsync("--stack-file", RepositoryFiles.StackFile("prod"), option, value, "--address", "us=lb-us.example.com");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eu=127.0.0.1", "is a loopback address")]
    [InlineData("us.rw=169.254.10.1", "is a link-local address")]
    [InlineData("us.pooler=::", "is the unspecified address")]
    [InlineData("eu=::ffff:10.0.0.5", "write it as 10.0.0.5")]
    public async Task AnAddressKubernetesRefusesInAnEndpointSliceExitsTwo(string value, string message)
    {
        var (exitCode, output, error) = await RunAsync("--stack-file", RepositoryFiles.StackFile("dev"), "--address", value, "--address", "us=172.18.0.3");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveReadsTheLoadBalancerStatusWithKubectl()
    {
        // No cluster here: a kubectl on PATH that answers the one read render makes, as a cluster with AWS load balancers would.
        var bin = Directory.CreateDirectory(Path.Combine(_directory, "bin")).FullName;
        var kubectl = Path.Combine(bin, "kubectl");
        await File.WriteAllTextAsync(kubectl, "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/calls\"\nprintf 'internal-%s.elb.example.com' \"$7\"\n");
        File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", $"{bin}:{path}");
        try
        {
            var (exitCode, output, error) = await RunAsync("--stack-file", RepositoryFiles.StackFile("staging"), "--resolve");

            Assert.Equal(0, exitCode);
            Assert.Empty(error);
            Assert.Contains("externalName: internal-pg-eu-rw-exposed.elb.example.com", output, StringComparison.Ordinal);
            Assert.Contains("externalName: internal-pg-us-pooler-rw-exposed.elb.example.com", output, StringComparison.Ordinal);
            Assert.Contains("--context staging-eu-west-1 --namespace databases get service pg-eu-rw-exposed --output jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}", await File.ReadAllTextAsync(Path.Combine(bin, "calls")), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Fact]
    public async Task IncludeSecretsWritesOwnerOnlyFilesPerRegion()
    {
        var (exitCode, output, _) = await RunAsync("--stack-file", RepositoryFiles.StackFile("dev"), "--out", _directory, "--include-secrets", "--address", "eu=172.18.0.2", "--address", "us=172.18.0.3");

        Assert.Equal(0, exitCode);
        Assert.Equal([Path.Combine(_directory, "eu.yaml"), Path.Combine(_directory, "us.yaml")], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var file in Directory.GetFiles(_directory))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(6, File.ReadLines(file).Count(l => l == "kind: Secret"));
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

    [Theory]
    [InlineData("directory", "it is a directory")]
    [InlineData("missing", "it does not exist")]
    [InlineData("/dev/zero", "not a regular file")]
    [InlineData("fifo", "not a regular file")]
    [InlineData("2 MiB", "1 MiB")]
    public async Task StackFileThatIsNotASmallRegularFileExitsTwoNamingIt(string kind, string why)
    {
        using var files = new CrossClusterIac.Tests.Topology.Config.HostileConfigTests();
        var path = files.StackFileOfKind(kind);

        var (exitCode, output, error) = await RunAsync("--stack-file", path);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.StartsWith($"render: {path}: ", error, StringComparison.Ordinal);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonUtf8StackFileExitsTwoNamingTheByte()
    {
        var stackFile = Path.Combine(_directory, "Pulumi.latin1.yaml");
        var dev = await File.ReadAllTextAsync(RepositoryFiles.StackFile("dev"));
        await File.WriteAllBytesAsync(stackFile, System.Text.Encoding.Latin1.GetBytes(dev.Replace("kind-k8s-us", "kind-k8s-ü", StringComparison.Ordinal)));

        var (exitCode, output, error) = await RunAsync("--stack-file", stackFile, "--address", "eu=172.18.0.2", "--address", "us=172.18.0.3");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("is 0xFC, which is not UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CenturiesOfValidityExitTwoInsteadOfCrashingTheIssuer()
    {
        var stackFile = Path.Combine(_directory, "Pulumi.long.yaml");
        await File.WriteAllTextAsync(stackFile, await File.ReadAllTextAsync(RepositoryFiles.StackFile("dev")) + "    pki:\n      validity:\n        rootDays: 3000000\n");

        var (exitCode, output, error) = await RunAsync("--stack-file", stackFile, "--include-secrets", "--address", "eu=172.18.0.2", "--address", "us=172.18.0.3");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("topology.pki.validity.rootDays: 3000000 days is more than 36500 (100 years)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOntoAFileExitsTwoAndLeavesTheFile()
    {
        var file = Path.Combine(_directory, "manifests");
        await File.WriteAllTextAsync(file, "mine");

        var (exitCode, output, error) = await RunDevAsync("--out", file);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains($"--out {file}: is a file, not a directory", error, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task OutUnderAMissingParentExitsTwoAndCreatesNothing()
    {
        var missing = Path.Combine(_directory, "no", "such", "out");

        var (exitCode, _, error) = await RunDevAsync("--out", missing);

        Assert.Equal(2, exitCode);
        Assert.Contains($"its parent directory {Path.GetDirectoryName(missing)} does not exist; create it first", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "no")));
    }

    [Fact]
    public async Task OutWhereNothingCanBeWrittenExitsTwo()
    {
        // Root may write anywhere on disk, but nobody may create a directory in /proc.
        var (exitCode, output, error) = await RunDevAsync("--out", "/proc/self/manifests");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("--out /proc/self/manifests: cannot write the manifests", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutThatFailsMidwayLeavesNoPartialFiles()
    {
        var existing = Directory.CreateDirectory(Path.Combine(_directory, "out")).FullName;
        Directory.CreateDirectory(Path.Combine(existing, "eu.yaml"));

        var (exitCode, _, error) = await RunDevAsync("--out", existing);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot write the manifests", error, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(existing, "eu.yaml")], Directory.GetFileSystemEntries(existing));
    }

    [Fact]
    public async Task NewOutDirectoryAppearsWholeAndOwnerOnlyWithSecrets()
    {
        var target = Path.Combine(_directory, "secrets");

        var (exitCode, output, _) = await RunDevAsync("--out", target, "--include-secrets");

        Assert.Equal(0, exitCode);
        Assert.Equal([Path.Combine(target, "eu.yaml"), Path.Combine(target, "us.yaml")], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task OperationsPrintsTheLifecycleTableForTheTopologyAskedForAndRefusesAnotherSize()
    {
        var (exitCode, output, error) = await RunAsync("operations", "--regions", "4", "--mode", "Archive");

        Assert.Equal((0, string.Empty), (exitCode, error));
        Assert.Equal(CrossClusterIac.Topology.Lifecycle.OperationTable.Markdown(4, CrossClusterIac.Topology.Config.ReplicationMode.Archive), output);

        var (refused, _, message) = await RunAsync("operations", "--regions", "9");
        Assert.Equal(2, refused);
        Assert.Contains("--regions: give 2 to 5, e.g. --regions 3.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPhaseOfASwitchoverAFailoverAndARejoinRendersAsItsUpdateSendsIt()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");

        var demote = Clusters((await RunDevAsync("--switchover-to", "us")).Output);
        var promote = Clusters((await RunDevAsync("--switchover-to", "us", "--promotion-token-file", tokenFile)).Output);
        var completed = Clusters((await RunDevAsync("--primary", "us")).Output);
        var rebuilt = Clusters((await RunDevAsync("--primary", "us", "--rebuild", "eu")).Output);

        Assert.Equal(("pg-us", "pg-eu"), (At(demote["pg-eu"], "spec", "replica", "primary"), At(demote["pg-us"], "spec", "replica", "primary")));
        Assert.Equal(("pg-us", Token), (At(promote["pg-us"], "spec", "replica", "primary"), At(promote["pg-us"], "spec", "replica", "promotionToken")));
        Assert.Null(At(demote["pg-us"], "spec", "replica", "promotionToken"));
        Assert.Equal("pg-us", At(completed["pg-eu"], "spec", "bootstrap", "recovery", "source"));
        Assert.Null(At(completed["pg-eu"], "metadata", "annotations", "cnpg.io/skipEmptyWalArchiveCheck"));
        Assert.Equal("enabled", At(rebuilt["pg-eu"], "metadata", "annotations", "cnpg.io/skipEmptyWalArchiveCheck"));
        Assert.Null(At(rebuilt["pg-us"], "metadata", "annotations", "cnpg.io/skipEmptyWalArchiveCheck"));
    }

    [Theory]
    [InlineData(new[] { "--rebuild", "eu" }, "--rebuild: 'eu' is not a replica region (us); only a former primary rebuilt as a replica is named here.")]
    [InlineData(new[] { "--switchover-to", "mars" }, "--switchover-to: ")]
    [InlineData(new[] { "--primary", "mars" }, "--primary: ")]
    [InlineData(new[] { "--promotion-token-file", "-" }, "--promotion-token-file: the token promotes a switchover's target; give --switchover-to too.")]
    [InlineData(new[] { "--switchover-to", "us", "--promotion-token-file", "/nonexistent/token" }, "--promotion-token-file /nonexistent/token: ")]
    public async Task ABadPhaseExitsTwoNamingTheOptionAndRendersNothing(string[] phase, string message)
    {
        var (exitCode, output, error) = await RunDevAsync(phase);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static readonly string Token = CrossClusterIac.Topology.Lifecycle.OperationCatalogue.SampleToken;

    // Every Cluster document of the output, by name.
    private static Dictionary<string, object?> Clusters(string yaml)
    {
        YamlDotNet.Core.IParser parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        var deserializer = new YamlDotNet.Serialization.DeserializerBuilder().Build();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        var clusters = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            var document = deserializer.Deserialize<Dictionary<object, object?>>(parser);
            if (document is not null && Equals(document.GetValueOrDefault("kind"), "Cluster"))
            {
                clusters[(string)At(document, "metadata", "name")!] = document;
            }
        }

        return clusters;
    }

    private static object? At(object? node, params string[] path) =>
        path.Aggregate(node, (current, key) => current is Dictionary<object, object?> map ? map.GetValueOrDefault(key) : null);

    private static Task<(int ExitCode, string Output, string Error)> RunDevAsync(params string[] args) =>
        RunAsync(["--stack-file", RepositoryFiles.StackFile("dev"), "--address", "eu=172.18.0.2", "--address", "us=172.18.0.3", .. args]);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RenderCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}

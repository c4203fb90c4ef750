using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// Which kubeconfig and namespace <c>--kube</c> reads: the files as kubectl takes them, and the namespace the stack
/// deployed into. No API server is started: a context that resolves reaches a closed loopback port, and the diagnosis
/// names the server it tried, which tells which file's context won.
/// </summary>
public sealed class KubeconfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-kubeconfigs-").FullName;

    [Fact]
    public void TheFilesAreTheExplicitOneElseEveryOneKubeconfigListsOnceElseTheHomeOne()
    {
        var separator = Path.PathSeparator;

        Assert.Equal(["/x/explicit"], KubeconfigFiles.Precedence("/x/explicit", $"/a{separator}/b", "/home/.kube/config"));
        Assert.Equal(["/a", "/b"], KubeconfigFiles.Precedence(null, $"/a{separator}{separator}/b{separator}/a", "/home/.kube/config"));
        Assert.Equal(["/home/.kube/config"], KubeconfigFiles.Precedence(null, string.Empty, "/home/.kube/config"));
        Assert.Equal(["/home/.kube/config"], KubeconfigFiles.Precedence(null, null, "/home/.kube/config"));
    }

    [Fact]
    public async Task AContextIsReadFromTheFilesKubeconfigListsSkippingMissingOnesTheFirstToNameItWinning()
    {
        var first = await KubeconfigAsync("first", ("shared", 1), ("only-first", 3));
        var second = await KubeconfigAsync("second", ("shared", 2), ("only-second", 4));
        var variable = string.Join(Path.PathSeparator, Path.Combine(_directory, "missing"), first, second);
        var kube = new KubeOptions(new Dictionary<string, string>(), null, "default") { KubeconfigVariable = variable };

        var shared = await ReadFailureAsync(kube, "shared");
        var onlySecond = await ReadFailureAsync(kube, "only-second");

        Assert.Contains("the API server is unreachable", shared, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", shared, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:4", onlySecond, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AContextNoListedFileNamesIsDiagnosedNamingKubeconfig()
    {
        var first = await KubeconfigAsync("first", ("shared", 1));
        var kube = new KubeOptions(new Dictionary<string, string>(), null, "default") { KubeconfigVariable = first };

        var absent = await ReadFailureAsync(kube, "absent");

        Assert.Contains($"KUBECONFIG ({first}) gives no usable context absent", absent, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNamespaceIsTheOptionsElseTheOneTheStackDeployedIntoElseDefault()
    {
        var outputs = TopologyOutputsJson.Parse(BadOutputsDocumentTests.ValidDocument.Value);
        var deployed = outputs with { DeployedIdentity = outputs.DeployedIdentity! with { Namespace = "databases" } };
        var older = outputs with { DeployedIdentity = null };
        var kube = new KubeOptions(new Dictionary<string, string>(), null, null);

        Assert.Equal("databases", kube.NamespaceIn(deployed));
        Assert.Equal("other", (kube with { Namespace = "other" }).NamespaceIn(deployed));
        Assert.Equal(KubeOptions.DefaultNamespace, kube.NamespaceIn(older));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<string> ReadFailureAsync(KubeOptions kube, string context)
    {
        using var reader = new CnpgReader(kube, context, TimeSpan.FromSeconds(5));
        var failure = await Assert.ThrowsAsync<CnpgReadException>(() => reader.ClusterAsync("pg-eu", CancellationToken.None));
        return failure.Message;
    }

    // A kubeconfig whose contexts each reach a closed loopback port of their own, so a diagnosis tells which one was used.
    private async Task<string> KubeconfigAsync(string name, params (string Context, int Port)[] contexts)
    {
        var path = Path.Combine(_directory, name);
        var entries = contexts.Select(c => (c.Context, Cluster: $"{name}-{c.Context}", c.Port)).ToList();
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            {string.Concat(entries.Select(e => $"- name: {e.Cluster}\n  cluster:\n    server: https://127.0.0.1:{e.Port}\n"))}contexts:
            {string.Concat(entries.Select(e => $"- name: {e.Context}\n  context:\n    cluster: {e.Cluster}\n    user: {name}-user\n"))}users:
            - name: {name}-user
              user:
                token: not-a-token
            """);
        return path;
    }
}

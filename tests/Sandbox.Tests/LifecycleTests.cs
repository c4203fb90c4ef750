using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Tests that start sandboxes of their own, so they never disturb the shared one.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LifecycleTests
{
    [Fact]
    public async Task DownStopsEveryProcessAndRemovesTheDirectory()
    {
        var directory = TemporaryDirectory.NewPath();
        await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        Assert.NotEmpty(ServerProcesses.Mentioning(directory));

        Assert.True(await LocalSandbox.DownAsync(directory));

        Assert.Empty(ServerProcesses.Mentioning(directory));
        Assert.False(Directory.Exists(directory));
        Assert.Null(LocalSandbox.Status(directory));
    }

    [Fact]
    public async Task CancelledStartLeavesNoProcessAndNoDirectory()
    {
        var directory = TemporaryDirectory.NewPath();
        using var cancel = new CancellationTokenSource();
        var progress = new StepListener(step =>
        {
            // Cancel once the primary runs and the replica is being cloned: the worst moment to be interrupted.
            if (step.StartsWith("Cloning", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] }, progress, cancel.Token));

        Assert.Empty(ServerProcesses.Mentioning(directory));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task SecondUpInTheSameDirectoryIsRefusedAndLeavesTheFirstRunning()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var first = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu"] });

        var refused = await Assert.ThrowsAsync<SandboxException>(() => LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu"] }));

        Assert.Equal(SandboxException.UsageExitCode, refused.ExitCode);
        Assert.Contains("sandbox down", refused.Message, StringComparison.Ordinal);
        Assert.All(LocalSandbox.Status(directory)!, r => Assert.True(r.Running));
    }

    [Fact]
    public async Task FailingBootstrapStatementStopsTheStartWithPostgresqlsError()
    {
        var directory = TemporaryDirectory.NewPath();
        var options = new SandboxOptions
        {
            Directory = directory,
            Regions = ["eu"],
            Amend = manifest =>
            {
                if (manifest.Kind != "Cluster")
                {
                    return manifest;
                }

                var spec = (Dictionary<string, object?>)ManifestDocument.ToObject(manifest)["spec"]!;
                ((Dictionary<string, object?>)((Dictionary<string, object?>)spec["bootstrap"]!)["initdb"]!)["postInitSQL"] = new List<object?> { "SELECT no_such_column" };
                return manifest with { Body = new Dictionary<string, object?>(manifest.Body) { ["spec"] = spec } };
            },
        };

        try
        {
            var failure = await Assert.ThrowsAsync<SandboxException>(() => LocalSandbox.UpAsync(options));

            Assert.Contains("no_such_column", failure.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(directory));
        }
        finally
        {
            TemporaryDirectory.RemoveKeptLogs(directory);
        }
    }

    [Fact]
    public async Task SevenRegionsCloneWithinThePrimarysWalSendersAndAllStream()
    {
        var directory = TemporaryDirectory.NewPath();
        string[] regions = ["eu", "us", "ap", "sa", "af", "me", "ca"];
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = regions });

        Assert.All(LocalSandbox.Status(directory)!, r => Assert.True(r.Running));
        using var connections = new Connections(sandbox);
        await using var primary = await connections.OpenAsAdministratorAsync("eu");
        await using var senders = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", primary);
        Assert.Equal(regions.Length - 1, (long)(await senders.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task MoreReplicasThanThePrimaryHasWalSendersForAreRefusedBeforeAnythingStarts()
    {
        var directory = TemporaryDirectory.NewPath();
        var steps = new List<string>();

        var refused = await Assert.ThrowsAsync<SandboxException>(() => LocalSandbox.UpAsync(
            new SandboxOptions
            {
                Directory = directory,
                Regions = ["eu", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"],
            },
            new StepListener(steps.Add)));

        // 10 replicas stream with one sender each, and the last clone (pg_basebackup -X stream) holds a second one.
        Assert.Equal(SandboxException.UsageExitCode, refused.ExitCode);
        Assert.Contains("10 replica regions need 11 walsenders on the primary", refused.Message, StringComparison.Ordinal);
        Assert.Contains("max_wal_senders is 10. Start at most 10 regions.", refused.Message, StringComparison.Ordinal);

        // Not even the links were started, nor a certificate issued, so there was nothing to stop either.
        Assert.Empty(steps);
        Assert.Empty(ServerProcesses.Mentioning(directory));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task SecretsAreReadableByTheirOwnerOnly()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu"] });

        // CNPG writes every certificate and key it takes from a Secret 0600; keys, outputs and the app Secret must be so.
        var controller = Directory.EnumerateFiles(Path.Combine(directory, "eu", "controller"), "*.crt", SearchOption.AllDirectories).ToList();
        var secrets = Directory.EnumerateFiles(directory, "*.key", SearchOption.AllDirectories).Append(sandbox.OutputsPath).Append(sandbox.AppSecretPath).Concat(controller).ToList();

        Assert.Equal(5 + 2 + 8, secrets.Count);
        Assert.All(secrets, path => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)));
    }

    [Fact]
    public async Task OutputsFileHasTheShapeVerifyReads()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us", "ap"] });

        var outputs = TopologyOutputsJson.Parse(await File.ReadAllTextAsync(sandbox.OutputsPath));

        Assert.Equal(["eu", "us", "ap"], outputs.Regions.Select(r => r.Name));
        Assert.Equal([RegionRole.Primary, RegionRole.Replica, RegionRole.Replica], outputs.Regions.Select(r => r.Role));
        Assert.All(outputs.Regions, r => Assert.Equal($"pg-{r.Name}-pooler-rw", r.Pooler.ServerName));
        Assert.Equal(6, outputs.Regions.SelectMany(r => new[] { r.Instance.Port, r.Pooler.Port }).Distinct().Count());
    }

    private sealed class StepListener(Action<string> onStep) : IProgress<string>
    {
        public void Report(string value) => onStep(value);
    }
}

using CrossClusterIac.Dr;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Sandbox;
using CrossClusterIac.Tests.Verify;
using CrossClusterIac.Topology.Cnpg;
using Npgsql;

namespace CrossClusterIac.Tests.Dr;

/// <summary>
/// Issue 11: `dr` against a stack, through stand-ins for the pulumi and kubectl command lines (see
/// <see cref="StackShims"/>); the servers behind the stack are a real sandbox, which the stand-in's `pulumi up` puts
/// through what CNPG does with each phase, so that the verify run dr ends with checks real servers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DrCommandTests
{
    internal static readonly string SandboxExecutable = Path.Combine(AppContext.BaseDirectory, "sandbox");

    [Fact]
    public async Task ASwitchoverAppliesDemotionThenPromotionWithTheTokenThenTheCompletedTopologyAndVerifies()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("eu", sandbox.Directory, SandboxExecutable);

        var (exit, output, error) = await RunAsync(shims, "switchover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory);

        Assert.True(exit == 0, error);
        Assert.Equal(["eu us -", "eu us token", "us - -"], shims.Ups);
        Assert.Contains(shims.Calls, c => c.StartsWith("--context kind-k8s-eu --namespace default get clusters.postgresql.cnpg.io pg-eu -o jsonpath={.status.demotionToken}", StringComparison.Ordinal));
        Assert.Contains(shims.Calls, c => c.StartsWith("--context kind-k8s-us --namespace default get clusters.postgresql.cnpg.io pg-us -o jsonpath={.status.lastPromotionToken}", StringComparison.Ordinal));
        Assert.Contains(shims.Calls, c => c.StartsWith($"config set --secret {StackState.PromotionTokenKey} --stack", StringComparison.Ordinal));

        // The token reached pulumi on standard input, never on a command line another local user can read.
        Assert.Equal(shims.Read("demotion"), shims.Read("secrets.log"));
        Assert.DoesNotContain(shims.Calls, c => c.Contains(shims.Read("demotion")!, StringComparison.Ordinal));
        Assert.Null(shims.Read("to"));
        Assert.Null(shims.Read("token"));
        Assert.Contains("PASSED", output, StringComparison.Ordinal);

        // A secret stays secret: the token is in the stack's encrypted config, never in what dr prints.
        Assert.DoesNotContain(shims.Read("demotion")!, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInterruptedSwitchoverIsResumedFromWhatTheStacksConfigSays()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("eu", sandbox.Directory, SandboxExecutable);
        shims.Write("hold-demotion", string.Empty);

        var (first, _, error) = await RunAsync(shims, "switchover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--wait-minutes", "0");

        Assert.Equal(DrException.StepFailedExitCode, first);
        Assert.Contains("gave up waiting for pg-eu's .status.demotionToken", error, StringComparison.Ordinal);
        Assert.Equal("us", shims.Read("to"));

        File.Delete(Path.Combine(shims.Directory, "hold-demotion"));
        var (dry, plan, _) = await RunAsync(shims, "switchover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--dry-run");
        Assert.Equal(0, dry);
        Assert.StartsWith("1. pulumi up: phase 1", plan, StringComparison.Ordinal);

        var (second, output, secondError) = await RunAsync(shims, "switchover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory);

        Assert.True(second == 0, secondError);
        Assert.Equal(["eu us -", "eu us -", "eu us token", "us - -"], shims.Ups);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInterruptedDrAsksPulumiToCancelItsUpdateWithSigintInsteadOfKillingIt()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("eu", sandbox.Directory, SandboxExecutable);
        shims.Write("slow-up", string.Empty);
        using var interrupt = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var running = DrCli.InvokeAsync(["switchover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory], output, error, interrupt.Token, shims.Pulumi, shims.Kubectl);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!shims.Calls.Any(c => c.StartsWith("up ", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "dr never ran pulumi up");
            await Task.Delay(50);
        }

        await Task.Delay(500);
        await interrupt.CancelAsync();
        var exit = await running;

        // pulumi heard SIGINT and cancelled its update itself: the stack is not left locked by a killed process.
        Assert.Equal(DrCli.InterruptedExitCode, exit);
        Assert.Equal("cancelled\n", shims.Read("got-sigint"));
    }

    [Fact]
    public async Task ARegionThatIsGoneIsRemovedForGoodWithItsProtectionLiftedAndItsUnreachableResourcesDroppedAndTheRestVerifies()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var shims = StackShims.For("eu", sandbox.Directory, SandboxExecutable, ["eu", "us", "ap"]);
        await sandbox.StopPoolerAsync("ap");
        await sandbox.StopInstanceAsync("ap");
        var outputs = sandbox.Outputs;
        shims.Write("topology-removed.json", StackShims.TopologyTemplate(["eu", "us"]));
        shims.Write("outputs-removed.json", Topology.Outputs.TopologyOutputsJson.Serialize(outputs with
        {
            Regions = [.. outputs.Regions.Where(r => r.Name != "ap")],
            ClientKeys = outputs.ClientKeys.Where(k => k.Key != "ap").ToDictionary(),
        }));
        const string Urn = "urn:pulumi:prod::cross-cluster-dr::crosscluster:index:CnpgReplicaCluster$kubernetes:postgresql.cnpg.io/v1:Cluster::ap-cnpg-pg-ap-cluster";
        shims.Write("export.json", "{\"deployment\":{\"resources\":[{\"urn\":\"" + Urn + "\",\"type\":\"kubernetes:postgresql.cnpg.io/v1:Cluster\",\"inputs\":{\"metadata\":{\"name\":\"pg-ap\"}}}]}}");

        var (primary, _, refusal) = await RunAsync(shims, "remove-region", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);
        var (dry, plan, _) = await RunAsync(shims, "remove-region", "--stack", "prod", "--region", "ap", "--cwd", shims.Directory, "--dry-run");
        var (exit, output, error) = await RunAsync(shims, "remove-region", "--stack", "prod", "--region", "ap", "--cwd", shims.Directory);

        Assert.Equal(DrException.UsageExitCode, primary);
        Assert.Contains("--region: eu is the primary region; fail over from it first", refusal, StringComparison.Ordinal);
        Assert.Equal(0, dry);
        Assert.StartsWith($"1. pulumi state unprotect {Urn}\n2. pulumi config rm --path cross-cluster-dr:topology.regions[2]\n3. PULUMI_K8S_DELETE_UNREACHABLE=true pulumi up", plan.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(exit == 0, error);
        Assert.Contains(shims.Calls, c => c.StartsWith($"state unprotect {Urn} --yes", StringComparison.Ordinal));
        Assert.Contains(shims.Calls, c => c.StartsWith("config rm --path cross-cluster-dr:topology.regions[2]", StringComparison.Ordinal));
        Assert.Equal(["true"], shims.Read("delete-unreachable.log")!.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejoinFencesTheFormerPrimaryAndReplacesItsClusterTakingTheCurrentBootstrap()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("us", sandbox.Directory, SandboxExecutable);
        await sandbox.SwitchoverAsync("us");
        shims.Write("export.json", Export("us", "eu"));

        var (exit, _, error) = await RunAsync(shims, "rejoin", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);

        Assert.True(exit == 0, error);
        var calls = shims.Calls.Select(c => c.Split(" --stack")[0].Split(" --request-timeout")[0]).ToList();
        Assert.Equal(
            [
                "config --json --show-secrets",
                "stack export",
                "--context kind-k8s-eu --namespace default annotate --overwrite clusters.postgresql.cnpg.io pg-eu cnpg.io/fencedInstances=[\"*\"]",
                "config set --path cross-cluster-dr:rebuild eu",
                $"up --yes --skip-preview --replace {EuClusterUrn}",
                "config rm --path cross-cluster-dr:rebuild",
            ],
            calls.Take(6));

        // Then verify, once more if eu's pooler was in PgBouncer's pause after the switchover restarted its instance.
        Assert.All(calls.Skip(6), c => Assert.Equal("stack output --json --show-secrets", c));
        Assert.Equal(["us - - eu"], shims.Ups);
        Assert.Null(shims.Read("rebuild"));
    }

    [Fact]
    public async Task ARejoinWhoseUpFailsKeepsTheRebuildKeySaysHowToRetryOrGiveUpAndResumesWhenRunAgain()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("us", sandbox.Directory, SandboxExecutable);
        await sandbox.SwitchoverAsync("us");
        shims.Write("export.json", Export("us", "eu"));
        shims.Write("locked-once", string.Empty);

        var (failed, _, said) = await RunAsync(shims, "rejoin", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);
        var (exit, output, error) = await RunAsync(shims, "rejoin", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);

        Assert.Equal(1, failed);
        Assert.Contains("pulumi cancel", said, StringComparison.Ordinal);
        Assert.Contains("cross-cluster-dr:rebuild stays set to eu: run the same dr rejoin again to retry", said, StringComparison.Ordinal);
        Assert.Contains("`pulumi config rm cross-cluster-dr:rebuild`; pg-eu stays fenced", said, StringComparison.Ordinal);
        Assert.True(exit == 0, error);
        Assert.Equal(2, shims.Calls.Count(c => c.StartsWith($"up --yes --skip-preview --replace {EuClusterUrn}", StringComparison.Ordinal)));
        Assert.Null(shims.Read("rebuild"));
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejoinStoppedAfterTheReplacementDeletedTheClusterResumesWithAPlainUpThatCreatesIt()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("us", sandbox.Directory, SandboxExecutable);
        await sandbox.SwitchoverAsync("us");
        // What a delete-first replacement leaves when the update stops between the delete and the create: the key set,
        // the Cluster gone from the state and from the cluster, so there is nothing to fence or replace.
        shims.Write("export.json", Export("us"));
        shims.Write("rebuild", "eu");

        var (exit, output, error) = await RunAsync(shims, "rejoin", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);

        Assert.True(exit == 0, error);
        var calls = shims.Calls.Select(c => c.Split(" --stack")[0]).ToList();
        Assert.Equal(["config --json --show-secrets", "stack export", "up --yes --skip-preview", "config rm --path cross-cluster-dr:rebuild"], calls.Take(4));
        Assert.DoesNotContain(calls, c => c.Contains("annotate", StringComparison.Ordinal));
        Assert.Equal(["us - - eu"], shims.Ups);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejoinIsRefusedWhileAnotherRegionsRebuildIsUnfinished()
    {
        // Refused before any pulumi up: no sandbox is needed behind the shims.
        using var shims = StackShims.For("us", TemporaryDirectory.NewPath(), SandboxExecutable, ["eu", "us", "ap"]);
        shims.Write("rebuild", "ap");

        var (exit, _, error) = await RunAsync(shims, "rejoin", "--stack", "prod", "--region", "eu", "--cwd", shims.Directory);

        Assert.Equal(2, exit);
        Assert.Contains("--region: cross-cluster-dr:rebuild names ap", error, StringComparison.Ordinal);
        Assert.DoesNotContain(shims.Calls, c => c.StartsWith("up", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rejoin --stack prod --region eu --up-minutes 0", "--up-minutes: '0' is not a whole number of minutes, 1 or more; e.g. --up-minutes 60.")]
    [InlineData("failover --stack prod --to us --up-minutes 5000000000", "--up-minutes: '5000000000' is not a whole number")]
    [InlineData("switchover --stack prod --to us --wait-minutes x", "--wait-minutes: 'x' is not a whole number of minutes, 0 or more; e.g. --wait-minutes 20.")]
    [InlineData("switchover --stack prod --to us --wait-minutes -1", "--wait-minutes: '-1' is not")]
    [InlineData("rejoin --stack prod --region eu --output xml", "--output: 'xml' is not one of: table, json.")]
    [InlineData("remove-region --stack prod --region us --up-minutes -3", "--up-minutes: '-3' is not")]
    public async Task MinutesThatAreNotAWholeNumberInRangeExitTwoNamingTheOption(string arguments, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DrCli.InvokeAsync(arguments.Split(' '), output, error, CancellationToken.None, "/nonexistent/pulumi", "/nonexistent/kubectl");

        Assert.Equal(2, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("swichover --stack prod --to us", "unknown command 'swichover' for `dr`. Did you mean 'switchover'?")]
    [InlineData("switchover --stak prod --to us", "unknown option '--stak' for `dr switchover`. Did you mean '--stack'?")]
    public async Task AMistypedCommandOrOptionExitsTwoNamingWhatItWasMeantAsAndNothingElse(string arguments, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DrCli.InvokeAsync(arguments.Split(' '), output, error, CancellationToken.None, "/nonexistent/pulumi", "/nonexistent/kubectl");

        Assert.Equal(2, exit);
        // The typo and the usage hint: no follow-on for the words after it, nor a "required" of what it stood for.
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"dr: {expected}", lines[0], StringComparison.Ordinal);
        Assert.Equal(expected.Contains("--stak", StringComparison.Ordinal) ? "Run `dr switchover --help` for usage." : "Run `dr --help` for usage.", lines[1]);
    }

    [Fact]
    public async Task WithoutArgumentsDrPrintsItsHelp()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DrCli.InvokeAsync([], output, error, CancellationToken.None, "/nonexistent/pulumi", "/nonexistent/kubectl");

        Assert.Equal(0, exit);
        Assert.Contains("switchover", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }

    [Theory]
    [InlineData("switchover --stack prod --to ap", "--to: no region 'ap'")]
    [InlineData("switchover --stack prod --to eu", "Verify")]
    [InlineData("failover --stack prod --to eu", "--to: name a replica region (us)")]
    [InlineData("switchover --to us", "--stack")]
    public async Task BadTargetsExitTwoNamingTheOption(string arguments, string expected)
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = StackShims.For("eu", sandbox.Directory, SandboxExecutable);

        var (exit, output, error) = await RunAsync(shims, [.. arguments.Split(' '), "--cwd", shims.Directory, .. expected == "Verify" ? ["--dry-run"] : Array.Empty<string>()]);

        if (expected == "Verify")
        {
            // Already primary: nothing to change, only verify left.
            Assert.Equal(0, exit);
            Assert.Equal("1. verify with the stack's outputs", output.Trim());
        }
        else
        {
            Assert.Equal(DrException.UsageExitCode, exit);
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }

    private const string DivergenceTable = "dr_divergence";

    /// <summary>A row written on the primary (eu), as its superuser, that a replica has replayed once it can read it.</summary>
    internal static async Task WriteRowAsync(RunningSandbox sandbox)
    {
        await using var primary = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, "eu");
        await using var command = new NpgsqlCommand($"CREATE TABLE {DivergenceTable} (id int); INSERT INTO {DivergenceTable} VALUES (1)", primary);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits, at most 20 s, until <paramref name="region"/> has replayed <see cref="WriteRowAsync"/>'s row.</summary>
    internal static async Task UntilReplayedAsync(RunningSandbox sandbox, string region)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        await using var replica = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, region);
        while (true)
        {
            await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT FROM {DivergenceTable})", replica);
            try
            {
                if ((bool)(await command.ExecuteScalarAsync())!)
                {
                    return;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Not even the table's creation replayed yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"pg-{region} did not replay the row written on pg-eu within 20 s");
            await Task.Delay(100);
        }
    }

    internal static async Task<Lsn> ReplayedAsync(RunningSandbox sandbox, string region)
    {
        await using var replica = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, region);
        await using var command = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn()::text", replica);
        Assert.True(Lsn.TryParse((string?)await command.ExecuteScalarAsync(), out var replayed), $"pg-{region} reports no replay position");
        return replayed;
    }

    internal static async Task<(int Exit, string Output, string Error)> RunAsync(StackShims shims, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DrCli.InvokeAsync(arguments, output, error, CancellationToken.None, shims.Pulumi, shims.Kubectl);
        return (exit, output.ToString(), error.ToString());
    }

    private const string EuClusterUrn = "urn:pulumi:prod::cross-cluster-dr::crosscluster:index:CnpgReplicaCluster$kubernetes:postgresql.cnpg.io/v1:Cluster::eu-cnpg-pg-eu-cluster";

    // `pulumi stack export`'s deployment with the Clusters of the regions given in its state.
    private static string Export(params string[] regions)
    {
        var resources = new System.Text.Json.Nodes.JsonArray([.. regions.Select(region => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
        {
            ["urn"] = EuClusterUrn.Replace("eu-cnpg-pg-eu", $"{region}-cnpg-pg-{region}", StringComparison.Ordinal),
            ["type"] = "kubernetes:postgresql.cnpg.io/v1:Cluster",
            ["inputs"] = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = $"pg-{region}" } },
        })]);
        return new System.Text.Json.Nodes.JsonObject { ["deployment"] = new System.Text.Json.Nodes.JsonObject { ["resources"] = resources } }.ToJsonString();
    }
}

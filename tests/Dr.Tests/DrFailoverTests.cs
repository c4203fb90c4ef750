using CrossClusterIac.Dr;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Sandbox;
using CrossClusterIac.Tests.Verify;
using CrossClusterIac.Topology.Cnpg;
using Npgsql;

namespace CrossClusterIac.Tests.Dr;

/// <summary>
/// `dr failover` against a stack, as <see cref="DrCommandTests"/> runs dr, in a class of its own so that the two run
/// side by side (each test brings up a sandbox of its own).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DrFailoverTests
{
    [Fact]
    public async Task AFailoverSaysWhatMayBeLostAndChangesNothingUntilTheLossIsAccepted()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = FailingOverToUsWithEuUnreachable(sandbox);

        var (refused, said, why) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory);

        Assert.Equal(DrException.UsageExitCode, refused);
        Assert.Contains("pg-us replayed WAL up to", said, StringComparison.Ordinal);
        Assert.Contains("--accept-data-loss", why, StringComparison.Ordinal);
        Assert.DoesNotContain(shims.Calls, c => c.StartsWith("config set", StringComparison.Ordinal) || c.StartsWith("up", StringComparison.Ordinal));

        var (exit, output, error) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--accept-data-loss", "--output", "json");

        // eu's API does not answer: dr says how to fence it before it comes back, and verify fails only there.
        Assert.Equal(1, exit);
        Assert.Contains("annotate --overwrite clusters.postgresql.cnpg.io pg-eu 'cnpg.io/fencedInstances=[\"*\"]'", error, StringComparison.Ordinal);
        Assert.Contains(shims.Calls, c => c.StartsWith("up --yes --skip-preview --continue-on-error", StringComparison.Ordinal));
        Assert.Equal("us", shims.Read("primary"));
        Assert.Contains("dr rejoin --stack prod --region eu", error, StringComparison.Ordinal);
        // The first line says what may be lost, as without --accept-data-loss; verify's JSON report follows.
        Assert.StartsWith("pg-us replayed WAL up to", output, StringComparison.Ordinal);
        Assert.Equal(["eu"], FailedRegions(output[output.IndexOf('\n', StringComparison.Ordinal)..]));
    }

    // A replica that replayed past the failover target cannot follow the target's new timeline once it is promoted:
    // the dry run names it, with the rejoin that rebuilds it, and says a failover to it would lose less.
    [Fact]
    public async Task AFailoverSaysAReplicaThatReplayedPastTheTargetMayNotFollowItAndGivesItsRejoin()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var shims = StackShims.For("eu", sandbox.Directory, DrCommandTests.SandboxExecutable, ["eu", "us", "ap"]);
        await SandboxDatabase.PauseReplayAsync(sandbox, "us", pause: true);
        await DrCommandTests.WriteRowAsync(sandbox);
        await DrCommandTests.UntilReplayedAsync(sandbox, "ap");
        var target = await DrCommandTests.ReplayedAsync(sandbox, "us");
        Assert.True((await DrCommandTests.ReplayedAsync(sandbox, "ap")).Value > target.Value, "ap replayed the row, us (paused) did not");

        var (exit, output, error) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--dry-run");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"pg-us replayed WAL up to {target} ", lines[0], StringComparison.Ordinal);
        var ap = Assert.Single(lines, l => l.StartsWith("pg-ap: ", StringComparison.Ordinal));
        Assert.Matches("^pg-ap: replayed up to [0-9A-F]+/[0-9A-F]+, past pg-us's ", ap);
        Assert.EndsWith($", past pg-us's {target}: it may not be able to follow pg-us after the promotion; rebuild it afterwards with: dr rejoin --stack prod --region ap (a failover to pg-ap would lose less)", ap, StringComparison.Ordinal);
        Assert.DoesNotContain(shims.Calls, c => c.StartsWith("config set", StringComparison.Ordinal) || c.StartsWith("up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailoverSaysEveryOtherReplicaFollowsWhenNoneReplayedPastTheTarget()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var shims = StackShims.For("eu", sandbox.Directory, DrCommandTests.SandboxExecutable, ["eu", "us", "ap"]);
        await DrCommandTests.WriteRowAsync(sandbox);
        await DrCommandTests.UntilReplayedAsync(sandbox, "us");
        await DrCommandTests.UntilReplayedAsync(sandbox, "ap");

        var (exit, output, error) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--dry-run");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("pg-us replayed WAL up to", lines[0], StringComparison.Ordinal);
        var verdicts = lines.Skip(1).Where(l => l.StartsWith("pg-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["pg-ap"], verdicts.Select(l => l.Split(':')[0]));
        Assert.All(verdicts, l => Assert.EndsWith(": it can follow pg-us after the promotion", l, StringComparison.Ordinal));
        Assert.DoesNotContain("rejoin", output, StringComparison.Ordinal);
    }

    // A region that is gone too must not stop the failover: its verdict is unknown, naming the endpoint and the cause.
    [Fact]
    public async Task AFailoverSaysAReplicaThatDoesNotAnswerMayNeedARejoinNamingItsEndpointAndGoesOn()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var shims = StackShims.For("eu", sandbox.Directory, DrCommandTests.SandboxExecutable, ["eu", "us", "ap"]);
        await sandbox.StopInstanceAsync("ap");
        var endpoint = sandbox.Outputs.Regions.Single(r => r.Name == "ap").Instance;

        var (exit, output, error) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--dry-run");

        Assert.True(exit == 0, error);
        var ap = Assert.Single(output.Split('\n'), l => l.StartsWith("pg-ap: ", StringComparison.Ordinal));
        Assert.StartsWith($"pg-ap: no replay position from {endpoint.Host}:{endpoint.Port} (", ap, StringComparison.Ordinal);
        Assert.Contains("refuses TCP connections", ap, StringComparison.Ordinal);
        Assert.EndsWith("rebuild it afterwards with: dr rejoin --stack prod --region ap", ap, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailoverWhoseUpDidNotLandIsAppliedAgainByTheSameCommandWithTheFailoverKeySetOnlyMeanwhile()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var shims = FailingOverToUsWithEuUnreachable(sandbox);
        shims.Write("locked-once", string.Empty);

        var (first, _, firstError) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--accept-data-loss");

        // The update did not land (the stack was locked): the config names us, the last deployment still eu.
        Assert.NotEqual(0, first);
        Assert.Contains("the stack is currently locked", firstError, StringComparison.Ordinal);
        Assert.Contains($"remove the lock with `pulumi cancel --stack prod --cwd {shims.Directory}`, then run the same dr command again", firstError, StringComparison.Ordinal);
        Assert.Equal("us", shims.Read("primary"));
        Assert.Null(shims.Read("failover"));

        var (second, output, error) = await DrCommandTests.RunAsync(shims, "failover", "--stack", "prod", "--to", "us", "--cwd", shims.Directory, "--accept-data-loss", "--output", "json");

        Assert.Contains("primaryRegion is already us, but the last deployment's primary is eu: applying the failover again", error, StringComparison.Ordinal);
        Assert.Equal(1, second);
        Assert.Equal(["eu"], FailedRegions(output));
        Assert.Equal(2, shims.Calls.Count(c => c.StartsWith("config set --path cross-cluster-dr:failover us", StringComparison.Ordinal)));
        Assert.Null(shims.Read("failover"));
    }

    // Shims for a stack on the sandbox whose primary is eu, whose `pulumi up` fails over to us, and whose kubectl cannot
    // reach eu's API (the fence cannot be set).
    private static StackShims FailingOverToUsWithEuUnreachable(RunningSandbox sandbox)
    {
        var shims = StackShims.For("eu", sandbox.Directory, DrCommandTests.SandboxExecutable);
        shims.Write("failover-to", "us");
        shims.Write("unreachable", string.Empty);
        return shims;
    }

    // The regions of the checks verify's JSON report says failed.
    private static List<string?> FailedRegions(string report)
    {
        using var document = System.Text.Json.JsonDocument.Parse(report);
        return document.RootElement.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("status").GetString() == "failed").Select(c => c.GetProperty("region").GetString()).Distinct().ToList();
    }
}

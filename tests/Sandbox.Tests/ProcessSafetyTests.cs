using System.Text.Json;
using System.Text.Json.Nodes;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>The sandbox signals only processes it started, and acts only on directories it created (issue 10).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProcessSafetyTests
{
    [Fact]
    public async Task ARecycledPidIsNeitherReportedRunningNorSignalled()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu"] });
        using var bystander = ChildProcess.Start("sleep", ["300"]);
        var postmaster = sandbox.State.Processes["eu/postgres"];

        // The postmaster dies behind the sandbox's back and its pid goes to an unrelated process: the pid file and the
        // recorded pid now both name the bystander, whose start time differs.
        System.Diagnostics.Process.GetProcessById(postmaster.Pid).Kill();
        while (postmaster.IsRunning)
        {
            await Task.Delay(10);
        }

        var pidFile = sandbox.State.Regions[0].Layout.PostmasterPid;
        await File.WriteAllLinesAsync(pidFile, [bystander.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), .. (await File.ReadAllLinesAsync(pidFile)).Skip(1)]);
        var statePath = Path.Combine(directory, SandboxState.FileName);
        var state = JsonNode.Parse(await File.ReadAllTextAsync(statePath))!;
        state["processes"]!["eu/postgres"]!["pid"] = bystander.Pid;
        await File.WriteAllTextAsync(statePath, state.ToJsonString());

        Assert.False(Assert.Single(LocalSandbox.Status(directory)!).Postgres.Running);
        Assert.True(await LocalSandbox.DownAsync(directory));

        Assert.True(bystander.IsRunning);
        Assert.False(Directory.Exists(directory));
    }

    [Theory]
    [InlineData("another user's", "belongs to uid 65534")]
    [InlineData("world-writable", "is open to others (mode 777)")]
    public async Task APlantedSandboxIsLeftAlone(string directoryKind, string expected)
    {
        using var bystander = ChildProcess.Start("sleep", ["300"]);
        var directory = PlantSandboxNaming(bystander);
        try
        {
            if (directoryKind == "another user's")
            {
                Assert.True(ServerUser.InvokedAsRoot, "making a directory that belongs to another user needs root, as the tests run in CI");
                await ChangeOwnerAsync(directory, "65534:65534");
            }
            else
            {
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
            }

            foreach (var command in new[] { "down", "status" })
            {
                var (exitCode, _, error) = await SandboxCommandLine.RunAsync(command, "--dir", directory);

                Assert.Equal(2, exitCode);
                Assert.Contains(expected, error, StringComparison.Ordinal);
                Assert.Contains("Nothing was touched", error, StringComparison.Ordinal);
            }

            Assert.True(bystander.IsRunning);
            Assert.True(File.Exists(Path.Combine(directory, SandboxState.FileName)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task UpRefusesAPathThatAlreadyExists()
    {
        var directory = Directory.CreateTempSubdirectory("crosscluster-test-").FullName;
        try
        {
            var (exitCode, _, error) = await SandboxCommandLine.RunAsync("up", "--dir", directory, "--regions", "eu");

            Assert.Equal(2, exitCode);
            Assert.Contains("already exists; the sandbox creates its own directory", error, StringComparison.Ordinal);
            Assert.Empty(ServerProcesses.Mentioning(directory));
            Assert.True(Directory.Exists(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task UpRefusesASymbolicLinkPlantedAsItsDefaultDirectoryAndTouchesNothing()
    {
        using var bystander = ChildProcess.Start("sleep", ["300"]);
        var planted = PlantSandboxNaming(bystander);
        var statePath = Path.Combine(planted, SandboxState.FileName);
        var state = await File.ReadAllTextAsync(statePath);
        var temp = Directory.CreateTempSubdirectory("crosscluster-test-").FullName;
        try
        {
            // What another local user can leave in a shared temporary directory before a first `sandbox up`: the
            // per-user name, linked to a sandbox of theirs.
            var link = Path.Combine(temp, Path.GetFileName(SandboxOptions.DefaultDirectory));
            File.CreateSymbolicLink(link, planted);
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();

            using var up = ChildProcess.Start(ChildProcess.Built("sandbox"), ["up", "--regions", "eu"], errors.Enqueue, environment: new Dictionary<string, string> { ["TMPDIR"] = temp });
            var exitCode = await up.ExitCodeAsync();

            var error = string.Join(Environment.NewLine, errors);
            Assert.Equal(2, exitCode);
            Assert.Contains($"{link} is a symbolic link", error, StringComparison.Ordinal);
            Assert.Contains("Nothing was touched", error, StringComparison.Ordinal);
            Assert.DoesNotContain("already runs", error, StringComparison.Ordinal);
            Assert.Equal(planted, new FileInfo(link).LinkTarget);
            Assert.Equal(state, await File.ReadAllTextAsync(statePath));
            Assert.True(bystander.IsRunning);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
            Directory.Delete(planted, recursive: true);
        }
    }

    // What an attacker would leave for root's `sandbox down --dir`: a state file and a pid file naming a process that
    // is not the sandbox's, with its true start time, so that only the directory's ownership and mode give it away.
    private static string PlantSandboxNaming(ChildProcess victim)
    {
        var directory = TemporaryDirectory.NewPath();
        var region = new SandboxRegion("eu", RegionRole.Primary, 1, 2, Path.Combine(directory, "eu"));
        Directory.CreateDirectory(Path.GetDirectoryName(region.Layout.PostmasterPid)!);
        File.WriteAllText(region.Layout.PostmasterPid, $"{victim.Pid}\n");
        File.WriteAllText(region.Layout.PgBouncerPid, $"{victim.Pid}\n");
        var identity = ProcessIdentity.Of(victim.Pid)!;
        var state = new SandboxState
        {
            PrimaryRegion = "eu",
            Regions = [region],
            Processes = new Dictionary<string, ProcessIdentity> { ["eu/postgres"] = identity, ["eu/pgbouncer"] = identity },
        };
        var path = Path.Combine(directory, SandboxState.FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(state, TopologyOutputsJson.Options));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return directory;
    }

    private static async Task ChangeOwnerAsync(string path, string owner)
    {
        using var chown = ChildProcess.Start("chown", ["-R", owner, path]);
        Assert.Equal(0, await chown.ExitCodeAsync(TimeSpan.FromSeconds(10)));
    }
}

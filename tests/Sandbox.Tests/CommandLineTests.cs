using System.Collections.Concurrent;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Topology;

namespace CrossClusterIac.Tests.Sandbox;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("EU,us", "'EU' is not a region name")]
    [InlineData("eu,eu", "'eu' is listed 2 times")]
    [InlineData("eu,us_west", "'us_west' is not a region name")]
    public async Task BadRegionListExitsTwoNamingTheOption(string regions, string expected)
    {
        var (exitCode, _, error) = await RunAsync("up", "--regions", regions, "--dir", TemporaryDirectory.NewPath());

        Assert.Equal(2, exitCode);
        Assert.Contains("--regions", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", "", "--dir: give a directory path")]
    [InlineData("down", " ", "--dir: give a directory path")]
    [InlineData("up", "/nonexistent-parent/sandbox", "Give a path whose parent directory exists")]
    [InlineData("down", "/etc/hostname", "is a regular file, not a directory")]
    [InlineData("status", "/etc", "is open to others (mode 755)")]
    public async Task BadDirectoryExitsTwoNamingItAndTouchesNothing(string command, string directory, string expected)
    {
        var (exitCode, output, error) = await RunAsync(command, "--dir", directory);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommandExitsTwoWithUsageHint()
    {
        var (exitCode, _, error) = await RunAsync("launch");

        Assert.Equal(2, exitCode);
        Assert.Contains("sandbox --help", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stat --dir /tmp/x", "unknown command 'stat' for `sandbox`. Did you mean 'status'?")]
    [InlineData("up --regoins eu,us", "unknown option '--regoins' for `sandbox up`. Did you mean '--regions'?")]
    [InlineData("status --outptu json", "unknown option '--outptu' for `sandbox status`. Did you mean '--output'?")]
    [InlineData("link eu us --donw", "unknown option '--donw' for `sandbox link`. Did you mean '--down'?")]
    public async Task AMistypedCommandOrOptionExitsTwoNamingWhatItWasMeantAsWithoutFollowOnErrors(string arguments, string expected)
    {
        // Refused while parsing, before any directory is looked at.
        var (exitCode, output, error) = await RunAsync(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"sandbox: {expected}", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Run `sandbox", Assert.Single(lines[1..]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", "--output <table|json>", "[default: table]")]
    [InlineData("stop", "--server <both|postgres|pgbouncer>", "[default: both]")]
    public async Task HelpNamesAChoiceOptionsValuesAndDefaultAsTheyAreTyped(string command, string choices, string fallback)
    {
        var (exitCode, output, _) = await RunAsync(command, "--help");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains(choices, StringComparison.Ordinal));
        Assert.Contains(fallback, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutArgumentsTheSandboxPrintsItsHelp()
    {
        var (exitCode, output, error) = await RunAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("switchover", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("stop", "--server", "nginx", "--server: 'nginx' is not one of: both, postgres, pgbouncer.")]
    [InlineData("status", "--output", "xml", "--output: 'xml' is not one of: table, json.")]
    public async Task AChoiceOutsideAnOptionsValuesExitsTwoNamingTheValuesNotADotNetType(string command, string option, string value, string expected)
    {
        var (exitCode, _, error) = await RunAsync(command == "stop" ? [command, "eu", option, value, "--dir", TemporaryDirectory.NewPath()] : [command, option, value, "--dir", TemporaryDirectory.NewPath()]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("CrossClusterIac.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sideways", "sideways")]
    [InlineData("", "--tier")]
    public async Task RotateWithABadTierExitsTwoNamingTheOption(string tier, string expected)
    {
        var (exitCode, _, error) = await RunAsync(tier.Length == 0 ? ["rotate", "--dir", TemporaryDirectory.NewPath()] : ["rotate", "--tier", tier, "--dir", TemporaryDirectory.NewPath()]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eu=5s", "'eu' is the primary")]
    [InlineData("us=500ms", "not a delay of whole seconds")]
    [InlineData("ap=5s", "'ap' is not among the regions")]
    [InlineData("us", "is not REGION=DURATION")]
    public async Task ABadDelayExitsTwoNamingTheOptionAndStartsNothing(string delay, string expected)
    {
        var directory = TemporaryDirectory.NewPath();

        var (exitCode, _, error) = await RunAsync("up", "--dir", directory, "--regions", "eu,us", "--min-apply-delay", delay);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--min-apply-delay: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Theory]
    [InlineData("up", "--mode", "logical", "--mode streaming")]
    [InlineData("run", "--mode", "", "--mode archive")]
    [InlineData("up", "--archive-timeout", "500ms", "--archive-timeout 2s")]
    [InlineData("run", "--archive-timeout", "0s", "at least a second")]
    [InlineData("up", "--archive-timeout", "soon", "--archive-timeout 1m")]
    public async Task ABadReplicationOptionExitsTwoNamingTheOptionAndTheFixAndStartsNothing(string command, string option, string value, string fix)
    {
        var directory = TemporaryDirectory.NewPath();

        var (exitCode, _, error) = await RunAsync(command, "--dir", directory, "--regions", "eu,us", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{option}: '{value}'", error, StringComparison.Ordinal);
        Assert.Contains(fix, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Theory]
    [InlineData("--alert-for", "soon", "--monitoring", "is not a duration")]
    [InlineData("--monitoring-interval", "0s", "--monitoring", "is not a duration")]
    [InlineData("--alert-for", "3s", null, "need --monitoring")]
    public async Task ABadMonitoringOptionExitsTwoNamingTheOptionAndStartsNothing(string option, string value, string? monitoring, string expected)
    {
        var directory = TemporaryDirectory.NewPath();

        var (exitCode, _, error) = await RunAsync(["up", "--dir", directory, "--regions", "eu,us", option, value, .. monitoring is null ? Array.Empty<string>() : [monitoring]]);

        Assert.Equal(2, exitCode);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task RotateWithoutSandboxExitsTwoSayingHowToStartOne()
    {
        var directory = TemporaryDirectory.NewPath();

        var (exitCode, _, error) = await RunAsync("rotate", "--tier", "leaf", "--dir", directory);

        Assert.Equal(2, exitCode);
        Assert.Contains($"sandbox up --dir {directory}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateAsJsonReportsEachPhaseWithItsSerials()
    {
        var directory = TemporaryDirectory.NewPath();
        try
        {
            Assert.Equal(0, (await RunAsync("up", "--dir", directory, "--regions", "eu")).ExitCode);

            var (exitCode, output, _) = await RunAsync("rotate", "--tier", "root", "--dir", directory, "--output", "json");

            Assert.Equal(0, exitCode);
            using var report = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal(["trustNext", "signWithNext", "root generation 2"], report.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            Assert.Equal(2, report.RootElement.GetProperty("rootGeneration").GetInt32());
            Assert.Matches("^[0-9A-F]+$", report.RootElement.GetProperty("steps")[1].GetProperty("serials").GetProperty("eu-server").GetString());
            Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, (await RunAsync("down", "--dir", directory)).ExitCode);
        }
    }

    [Fact]
    public async Task StatusWithoutSandboxExitsOneAndSaysSo()
    {
        var directory = TemporaryDirectory.NewPath();

        var (exitCode, output, error) = await RunAsync("status", "--dir", directory);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains($"No sandbox in {directory}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAndStartTakeARegionsServerDownAndBack()
    {
        var directory = TemporaryDirectory.NewPath();
        try
        {
            Assert.Equal(0, (await RunAsync("up", "--dir", directory, "--regions", "eu,us")).ExitCode);

            Assert.Equal(0, (await RunAsync("stop", "us", "--server", "postgres", "--dir", directory)).ExitCode);
            var (downExit, down, _) = await RunAsync("status", "--dir", directory);
            Assert.Equal(1, downExit);
            Assert.Matches(@"us +replica +postgres +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +- +DOWN", down);

            Assert.Equal(0, (await RunAsync("start", "us", "--dir", directory)).ExitCode);
            var (upExit, up, _) = await RunAsync("status", "--dir", directory);
            Assert.Equal(0, upExit);
            Assert.Matches(@"us +replica +postgres +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +\d+ +up", up);
        }
        finally
        {
            Assert.Equal(0, (await RunAsync("down", "--dir", directory)).ExitCode);
        }
    }

    [Fact]
    public async Task StopOfAnUnknownRegionExitsTwoNamingTheRegions()
    {
        var directory = TemporaryDirectory.NewPath();
        try
        {
            Assert.Equal(0, (await RunAsync("up", "--dir", directory, "--regions", "eu")).ExitCode);

            var (exitCode, _, error) = await RunAsync("stop", "mars", "--dir", directory);

            Assert.Equal(2, exitCode);
            Assert.Contains("No region 'mars' in this sandbox; it has eu", error, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, (await RunAsync("down", "--dir", directory)).ExitCode);
        }
    }

    [Fact]
    public async Task UpThenStatusAsJsonGivingThePortsOutputsJsonGivesClientsThenDown()
    {
        var directory = TemporaryDirectory.NewPath();
        try
        {
            var (upExit, _, upProgress) = await RunAsync("up", "--dir", directory, "--regions", "eu");
            Assert.Equal(0, upExit);
            Assert.Contains("Sandbox up: 1 region", upProgress, StringComparison.Ordinal);
            Assert.DoesNotContain("1 regions", upProgress, StringComparison.Ordinal);

            var (exitCode, output, _) = await RunAsync("status", "--dir", directory, "--output", "json");

            Assert.Equal(0, exitCode);
            using var status = System.Text.Json.JsonDocument.Parse(output);
            var region = Assert.Single(status.RootElement.GetProperty("regions").EnumerateArray());
            Assert.True(region.GetProperty("postgres").GetProperty("running").GetBoolean());
            Assert.True(region.GetProperty("pgBouncer").GetProperty("running").GetBoolean());
            Assert.True(region.GetProperty("postgres").GetProperty("pid").GetInt32() > 0);
            Assert.EndsWith("eu/data", region.GetProperty("data").GetString(), StringComparison.Ordinal);
            // outputs.json and status name different ports for one server; status gives both, and says which is which.
            using var outputs = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "outputs.json")));
            var given = Assert.Single(outputs.RootElement.GetProperty("regions").EnumerateArray());
            Assert.Equal(given.GetProperty("instance").GetProperty("port").GetInt32(), region.GetProperty("postgres").GetProperty("clientPort").GetInt32());
            Assert.Equal(given.GetProperty("pooler").GetProperty("port").GetInt32(), region.GetProperty("pgBouncer").GetProperty("clientPort").GetInt32());
            Assert.NotEqual(region.GetProperty("postgres").GetProperty("port").GetInt32(), region.GetProperty("postgres").GetProperty("clientPort").GetInt32());
        }
        finally
        {
            Assert.Equal(0, (await RunAsync("down", "--dir", directory)).ExitCode);
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task UpSaysEachThingOnceWithinEightyColumnsAndNamesTheNextCommands()
    {
        // The default directory under a $TMPDIR as long as macOS's per-user one (/var/folders/xx/…/T/, 49 characters);
        // traversable, as the servers' account needs when the tests run as root.
        var temp = Directory.CreateTempSubdirectory("crosscluster-test-").FullName;
        var tmpdir = Path.Combine(temp, new string('t', Math.Max(1, 47 - temp.Length)));
        Directory.CreateDirectory(tmpdir);
        var traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(temp, traversable);
        File.SetUnixFileMode(tmpdir, traversable);
        var environment = new Dictionary<string, string> { ["TMPDIR"] = tmpdir };
        var directory = Path.Combine(tmpdir, Path.GetFileName(SandboxOptions.DefaultDirectory));
        var (output, error) = (new ConcurrentQueue<string>(), new ConcurrentQueue<string>());
        try
        {
            // From the checkout's root, as README runs the built executables.
            using var up = ChildProcess.Start(ChildProcess.Built("sandbox"), ["up"], error.Enqueue, output.Enqueue, environment, RepositoryFiles.Root);
            Assert.Equal(0, await up.ExitCodeAsync());

            var lines = error.Concat(output).ToList();
            Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
            Assert.Single(lines, line => line.Contains(directory, StringComparison.Ordinal));
            Assert.Single(lines, line => line.Contains(LocalSandbox.OutputsFileName, StringComparison.Ordinal));
            var next = output.SkipWhile(line => line != "Next:").Select(line => line.Trim()).ToList();
            Assert.Contains(next, line => line.EndsWith("/verify \\", StringComparison.Ordinal));
            Assert.Contains(next, line => line.EndsWith("/sandbox stop eu", StringComparison.Ordinal));
            Assert.Contains(next, line => line.EndsWith("/sandbox start eu", StringComparison.Ordinal));
            Assert.Contains(next, line => line.EndsWith("/sandbox down", StringComparison.Ordinal));
        }
        finally
        {
            // As the Next block says it: `sandbox down` with no --dir finds the default directory.
            using var down = ChildProcess.Start(ChildProcess.Built("sandbox"), ["down"], environment: environment);
            Assert.Equal(0, await down.ExitCodeAsync());
            Assert.False(Directory.Exists(directory));
            Directory.Delete(temp, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => SandboxCommandLine.RunAsync(args);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Verify;

/// <summary>
/// The verify figures of an older commit and of the working tree, from one run: the older commit is checked out in a
/// temporary git worktree outside the repository, built there, and both builds' harnesses are run in turn (old, new,
/// old, new …) on the same machine, so that a regression shows as a ratio measured in one run rather than as a stale
/// figure in the README. The worktree is removed afterwards, whatever happened: SIGINT or SIGTERM is passed on to the
/// harness running at that moment as SIGINT, and the cleanup waits for it.
/// </summary>
internal static partial class SideBySide
{
    /// <summary>The commit of the README's figures before the suite became twice as slow (issue 23).</summary>
    public const string DefaultCommit = "b71c225";

    /// <summary>
    /// Builds <paramref name="commit"/> beside the working tree and prints, per figure, both medians and their ratio
    /// new ÷ old, over <paramref name="rounds"/> rounds of each harness's <c>verify</c> mode at <paramref name="runs"/> runs,
    /// then the wall time of a fresh verify process against a 2-region sandbox of each build.
    /// </summary>
    public static async Task<int> RunAsync(string commit, int rounds, int runs)
    {
        using var interruption = ConsoleInterruption.Register();
        var stop = interruption.Token;
        var repository = (await GitAsync(AppContext.BaseDirectory, "rev-parse", "--show-toplevel")).Trim();
        var resolved = (await GitAsync(repository, "rev-parse", "--short", $"{commit}^{{commit}}")).Trim();
        var worktree = Path.Combine(Path.GetTempPath(), $"crosscluster-side-by-side-{resolved}-{Guid.NewGuid():N}");
        Console.WriteLine($"side-by-side: {resolved} built in {worktree}, against the working tree {repository}");
        await GitAsync(repository, "worktree", "add", "--detach", worktree, resolved);
        try
        {
            await BuildAsync(worktree, stop);
            var builds = new[] { new Build(resolved, worktree), new Build("working tree", repository) };
            var figures = builds.ToDictionary(b => b, _ => new Dictionary<string, List<double>>(StringComparer.Ordinal));
            for (var round = 0; round < rounds; round++)
            {
                foreach (var build in builds)
                {
                    foreach (var (figure, value) in await SuiteFiguresAsync(build, runs, stop))
                    {
                        Figure(figures[build], figure).Add(value);
                    }
                }
            }

            foreach (var (figure, value) in await FreshProcessAsync(builds, rounds * runs, stop))
            {
                Figure(figures[value.Build], figure).AddRange(value.Seconds);
            }

            Print(builds[0], builds[1], figures);
            return 0;
        }
        catch (OperationCanceledException) when (interruption.ExitCode is { } code)
        {
            Console.Error.WriteLine($"side-by-side: interrupted by {interruption.SignalName}; the worktree is removed");
            return code;
        }
        finally
        {
            await GitAsync(repository, "worktree", "remove", "--force", worktree);
        }
    }

    private sealed record Build(string Name, string Root)
    {
        public string Bench => Path.Combine(Root, "bench", "Local.Bench", "bin", "Release", "net10.0", "local-bench.dll");

        public string Sandbox => Path.Combine(Root, "sandbox", "bin", "Release", "net10.0", "sandbox.dll");

        public string Verify => Path.Combine(Root, "verify", "bin", "Release", "net10.0", "verify.dll");
    }

    private static List<double> Figure(Dictionary<string, List<double>> figures, string name) =>
        figures.TryGetValue(name, out var values) ? values : figures[name] = [];

    // Each harness in a process of its own, as a user runs it; the figures are read from the lines both versions print.
    private static async Task<IEnumerable<(string Figure, double Value)>> SuiteFiguresAsync(Build build, int runs, CancellationToken stop)
    {
        var result = await Run(Cli.Wrap("dotnet").WithArguments([build.Bench, "verify", runs.ToString(CultureInfo.InvariantCulture)]).WithWorkingDirectory(build.Root), stop);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"the {build.Name} harness failed (exit {result.ExitCode}): {result.StandardError}{result.StandardOutput}");
        }

        return SuiteLine().Matches(result.StandardOutput).Select(m => ($"warm suite, {m.Groups["regions"].Value} regions (s)", Number(m.Groups["seconds"].Value)))
            .Concat(AloneLine().Matches(result.StandardOutput).Select(m => ($"write-visible alone beyond the lag, {m.Groups["regions"].Value} regions (ms)", Number(m.Groups["ms"].Value))));
    }

    // A fresh verify process against a 2-region sandbox of its own build, the two builds in turn; its wall time.
    private static async Task<IEnumerable<(string Figure, (Build Build, List<double> Seconds) Value)>> FreshProcessAsync(Build[] builds, int runs, CancellationToken stop)
    {
        var directories = builds.ToDictionary(b => b, b => Path.Combine(Path.GetTempPath(), $"crosscluster-side-by-side-sandbox-{Guid.NewGuid():N}"));
        var times = builds.ToDictionary(b => b, _ => new List<double>());
        try
        {
            foreach (var build in builds)
            {
                await DotnetAsync(build, stop, build.Sandbox, "up", "--dir", directories[build]);
            }

            for (var i = 0; i <= runs; i++)
            {
                foreach (var build in builds)
                {
                    var elapsed = Stopwatch.StartNew();
                    await DotnetAsync(build, stop, build.Verify, "--outputs", Path.Combine(directories[build], "outputs.json"));
                    // The first of each is a warm-up: the file cache and the servers' first connections.
                    if (i > 0)
                    {
                        times[build].Add(elapsed.Elapsed.TotalSeconds);
                    }
                }
            }
        }
        finally
        {
            foreach (var build in builds.Where(b => Directory.Exists(directories[b])))
            {
                await DotnetAsync(build, CancellationToken.None, build.Sandbox, "down", "--dir", directories[build]);
            }
        }

        return builds.Select(b => ("fresh verify process, 2 regions (s)", (b, times[b])));
    }

    private static void Print(Build old, Build current, Dictionary<Build, Dictionary<string, List<double>>> figures)
    {
        Console.WriteLine($"{"figure",-52} {old.Name,14} {current.Name,14} {"new ÷ old",10}");
        foreach (var figure in figures[current].Keys.Where(figures[old].ContainsKey))
        {
            var (before, after) = (Statistics.Median(figures[old][figure]), Statistics.Median(figures[current][figure]));
            Console.WriteLine($"{figure,-52} {before,14:0.000} {after,14:0.000} {after / before,10:0.00}");
        }

        foreach (var build in new[] { old, current })
        {
            var suites = figures[build];
            if (suites.TryGetValue("warm suite, 2 regions (s)", out var two) && suites.TryGetValue("warm suite, 3 regions (s)", out var three))
            {
                Console.WriteLine($"{build.Name}: warm suite 3 regions ÷ 2 regions {Statistics.Median(three) / Statistics.Median(two):0.00}");
            }
        }

        Console.WriteLine("medians over the rounds of each build's medians; the builds ran in turn, old first in each round");
    }

    private static async Task BuildAsync(string root, CancellationToken stop)
    {
        var result = await Run(Cli.Wrap("dotnet").WithArguments(["build", Path.Combine(root, "bench", "Local.Bench"), "-c", "Release"]).WithWorkingDirectory(root), stop);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"building {root} failed: {result.StandardOutput}");
        }
    }

    private static async Task DotnetAsync(Build build, CancellationToken stop, params string[] arguments)
    {
        var result = await Run(Cli.Wrap("dotnet").WithArguments(arguments).WithWorkingDirectory(build.Root), stop);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{build.Name}: dotnet {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError}{result.StandardOutput}");
        }
    }

    // On stop the child gets SIGINT (CliWrap's graceful cancellation) and is waited for, so that it can stop what it started.
    private static Task<BufferedCommandResult> Run(Command command, CancellationToken stop) =>
        command.WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(System.Text.Encoding.UTF8, System.Text.Encoding.UTF8, CancellationToken.None, stop);

    private static async Task<string> GitAsync(string directory, params string[] arguments) =>
        (await Cli.Wrap("git").WithArguments(arguments).WithWorkingDirectory(directory).ExecuteBufferedAsync()).StandardOutput;

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"verify\s+(?<regions>\d+) regions: suite median (?<seconds>[0-9.]+) s")]
    private static partial Regex SuiteLine();

    [GeneratedRegex(@"verify\s+(?<regions>\d+) regions: write-visible alone, time beyond the lag median (?<ms>[0-9.]+) ms")]
    private static partial Regex AloneLine();
}

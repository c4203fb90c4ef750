using System.CommandLine;
using System.Text.Json;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Sandbox;

/// <summary>The <c>sandbox</c> command line.</summary>
public static class SandboxCli
{
    private static readonly Option<string> DirectoryOption = new("--dir")
    {
        Description = "The sandbox's directory: state, certificates, data, logs and outputs.json.",
        DefaultValueFactory = _ => SandboxOptions.DefaultDirectory,
    };

    private static readonly Option<string[]> RegionsOption = new("--regions")
    {
        Description = $"Regions to start, primary first, comma-separated. [default: {string.Join(',', SandboxTopology.DefaultRegions)}]",
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))],
    };

    private static readonly Option<OutputFormat> OutputOption = new("--output")
    {
        Description = "table for people, json for scripts.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("""
            The cross-cluster PostgreSQL topology on this machine, no Kubernetes needed: per region a PostgreSQL 15
            and a PgBouncer on 127.0.0.1, the first region primary and every other one a replica cloned and
            streaming over mutual TLS, all with the project's PKI plan. Needs the Debian packages postgresql-15
            and pgbouncer.
            """)
        {
            UpCommand(output, error),
            DownCommand(output, error),
            StatusCommand(output, error),
            RunCommand(output, error),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync("Run `sandbox --help` for usage.");
            return SandboxException.UsageExitCode;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (SandboxException e)
        {
            await error.WriteLineAsync($"sandbox: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("sandbox: cancelled; everything started was stopped.");
            return 130;
        }
    }

    private static Command UpCommand(TextWriter output, TextWriter error)
    {
        var command = new Command("up", "Start the sandbox and write outputs.json in the shape the Pulumi stack exports; it keeps running until `sandbox down`.")
        {
            DirectoryOption,
            RegionsOption,
            OutputOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var sandbox = await LocalSandbox.UpAsync(Options(parsed), new ConsoleProgress(error), cancellationToken);
            WriteStatus(output, parsed.GetValue(OutputOption), sandbox.Directory, LocalSandbox.Status(sandbox.Directory)!);
            return 0;
        });
        return command;
    }

    private static Command RunCommand(TextWriter output, TextWriter error)
    {
        var directory = new Option<string>("--dir")
        {
            Description = "Directory for this run's sandbox; removed at the end.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), $"crosscluster-sandbox-run-{Environment.ProcessId}"),
        };
        var command = new Command("run", "Start the sandbox, run verify against it, print the report and tear everything down. Exit 0 when every check passed, 1 when one failed.")
        {
            directory,
            RegionsOption,
            OutputOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new SandboxOptions { Directory = parsed.GetValue(directory)!, Regions = RegionsOf(parsed) };
            var progress = new ConsoleProgress(error);
            await using var sandbox = await LocalSandbox.UpAsync(options, progress, cancellationToken);
            progress.Report("Running verify");
            var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(), result => progress.Report($"{result.Status.ToString().ToLowerInvariant(),-7} {result.Name} {result.Region}"), cancellationToken);
            if (parsed.GetValue(OutputOption) == OutputFormat.Json)
            {
                await output.WriteLineAsync(JsonReport.Render(report));
            }
            else
            {
                TableReport.Render(report, ReportConsole.For(output));
            }

            progress.Report("Stopping the sandbox");
            return report.Passed ? 0 : VerifyCli.CheckFailedExitCode;
        });
        return command;
    }

    private static Command DownCommand(TextWriter output, TextWriter error)
    {
        var command = new Command("down", "Stop every process the sandbox started and remove its directory.") { DirectoryOption };
        command.SetAction(async parsed =>
        {
            var directory = parsed.GetValue(DirectoryOption)!;
            var stopped = await LocalSandbox.DownAsync(directory);
            await (stopped ? output : error).WriteLineAsync(stopped ? $"Stopped and removed the sandbox in {directory}." : $"No sandbox in {directory}; nothing to stop.");
            return 0;
        });
        return command;
    }

    private static Command StatusCommand(TextWriter output, TextWriter error)
    {
        var command = new Command("status", "Show each region's servers and ports. Exit 0 when all run, 1 when any is down or no sandbox exists.")
        {
            DirectoryOption,
            OutputOption,
        };
        command.SetAction(parsed =>
        {
            var directory = parsed.GetValue(DirectoryOption)!;
            var status = LocalSandbox.Status(directory);
            if (status is null)
            {
                error.WriteLine($"No sandbox in {directory}. Start one with `sandbox up`.");
                return 1;
            }

            WriteStatus(output, parsed.GetValue(OutputOption), Path.GetFullPath(directory), status);
            return status.All(r => r.InstanceRunning && r.PoolerRunning) ? 0 : 1;
        });
        return command;
    }

    private static SandboxOptions Options(ParseResult parsed) => new()
    {
        Directory = parsed.GetValue(DirectoryOption)!,
        Regions = RegionsOf(parsed),
    };

    // The default is applied here, not by the option, so that help prints it comma-separated as it is typed.
    private static IReadOnlyList<string> RegionsOf(ParseResult parsed) =>
        parsed.GetResult(RegionsOption) is null ? SandboxTopology.DefaultRegions : parsed.GetValue(RegionsOption)!;

    private static void WriteStatus(TextWriter output, OutputFormat format, string directory, IReadOnlyList<RegionStatus> regions)
    {
        var outputsPath = Path.Combine(directory, LocalSandbox.OutputsFileName);
        if (format == OutputFormat.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { directory, outputs = outputsPath, regions }, TopologyOutputsJson.Options));
            return;
        }

        output.WriteLine($"{"REGION",-8} {"ROLE",-8} {"POSTGRES",-18} {"PGBOUNCER",-18}");
        foreach (var r in regions)
        {
            output.WriteLine($"{r.Region,-8} {r.Role.ToString().ToLowerInvariant(),-8} {Server(r.InstancePort, r.InstanceRunning),-18} {Server(r.PoolerPort, r.PoolerRunning),-18}");
        }

        output.WriteLine($"outputs: {outputsPath}");
    }

    private static string Server(int port, bool running) => $"{SandboxTopology.Address}:{port} {(running ? "up" : "DOWN")}";
}

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    /// <summary>Aligned text for people.</summary>
    Table,

    /// <summary>One JSON document for scripts.</summary>
    Json,
}

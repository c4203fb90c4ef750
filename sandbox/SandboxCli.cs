using System.CommandLine;
using System.Text.Json;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Text;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Sandbox;

/// <summary>The <c>sandbox</c> command line.</summary>
public static class SandboxCli
{
    // An empty or NUL-holding path names no directory; System.CommandLine reports this as a usage error (exit 2).
    private static readonly Action<System.CommandLine.Parsing.OptionResult> IsDirectoryPath = result =>
    {
        var value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (value is not null && (value.Trim().Length == 0 || value.Contains('\0', StringComparison.Ordinal)))
        {
            result.AddError("--dir: give a directory path, e.g. --dir /tmp/my-sandbox");
        }
    };

    private static readonly Option<string> DirectoryOption = new("--dir")
    {
        Description = "The sandbox's directory: state, certificates, data, logs and outputs.json.",
        DefaultValueFactory = _ => SandboxOptions.DefaultDirectory,
        Validators = { IsDirectoryPath },
    };

    private static readonly Option<string[]> RegionsOption = new("--regions")
    {
        Description = $"Regions to start, primary first, comma-separated. [default: {string.Join(',', SandboxTopology.DefaultRegions)}]",
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))],
    };

    private static readonly Option<string[]> DelayOption = new("--min-apply-delay")
    {
        Description = "A delayed replica: REGION=DURATION (whole seconds, e.g. us=5s), as regions[].replication.minApplyDelay; repeat for several.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string> ModeOption = new("--mode")
    {
        Description = "How replicas receive WAL, as replication.mode: streaming (over mTLS, the object store as fallback) or archive (the object store only: no connection between regions; verify's streams-over-mtls and write-visible then fail). [default: streaming]",
    };

    private static readonly Option<string> ArchiveTimeoutOption = new("--archive-timeout")
    {
        Description = "The longest a segment holding writes stays open before it is archived, as replication.archiveTimeout (whole seconds, e.g. 2s): how far an archive-only replica lags. [default: CNPG's 5min]",
    };

    private static readonly Option<OutputFormat> OutputOption = EnumOption.Create<OutputFormat>("--output", "table for people, json for scripts.");

    /// <summary>Exit code after an interruption (the shell's for SIGINT; a caller that knows the signal reports its own).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("""
            The cross-cluster PostgreSQL topology on this machine, no Kubernetes needed: per region a PostgreSQL 15
            and a PgBouncer on 127.0.0.1, the first region primary and every other one a replica cloned and
            streaming over mutual TLS (or, with --mode archive, replaying the primary's WAL archive only), all with
            the project's PKI plan; each region archives its WAL into a directory standing for its object store.
            Needs the Debian packages postgresql-15 and pgbouncer.
            """)
        {
            UpCommand(output, error),
            DownCommand(output, error),
            StatusCommand(output, error),
            StopCommand(output),
            StartCommand(output, error),
            SwitchoverCommand(output, error),
            FailoverCommand(output, error),
            RotateCommand(output, error),
            LinkCommands.Link(DirectoryOption, OutputOption, output),
            RunCommand(output, error),
            LinkCommands.Daemon(DirectoryOption),
            MonitoringCommands.Daemon(DirectoryOption),
        };

        var parsed = root.Parse(args);
        if (await UsageErrors.ReportAsync(parsed, "sandbox", output, error) is { } usage)
        {
            return usage;
        }

        try
        {
            // ProcessTerminationTimeout = null: System.CommandLine would otherwise end the process two seconds after a
            // signal, while servers are still being stopped and keys removed; the caller maps signals to the token.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever failed after the interruption failed because of it (a check's connection torn down, a
            // command killed, a server that got the terminal's SIGINT too and exited 130): the interruption is the
            // one thing to report, so this comes before the SandboxException a killed server's start throws.
            await error.WriteLineAsync("sandbox: interrupted; every server it had started is stopped and its directory removed.");
            return InterruptedExitCode;
        }
        catch (SandboxException e)
        {
            await error.WriteLineAsync($"sandbox: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e)
        {
            // What no diagnosis foresaw still ends in one line, not an unhandled exception's trace (exit 134): every
            // drill records each step before it runs, so the same command resumes from there.
            await error.WriteLineAsync($"sandbox: unforeseen {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} Run the same command again: it resumes from the steps recorded in {SandboxState.FileName}.");
            return 1;
        }
    }

    private static Command UpCommand(TextWriter output, TextWriter error)
    {
        var command = new Command("up", "Start the sandbox and write outputs.json in the shape the Pulumi stack exports; it keeps running until `sandbox down`.")
        {
            DirectoryOption,
            RegionsOption,
            DelayOption,
            LinkCommands.RoundTripOption,
            LinkCommands.JitterOption,
            ModeOption,
            ArchiveTimeoutOption,
            MonitoringCommands.MonitoringOption,
            MonitoringCommands.IntervalOption,
            MonitoringCommands.AlertForOption,
            OutputOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var sandbox = await LocalSandbox.UpAsync(Options(parsed), new ConsoleProgress(error), cancellationToken);
            var format = parsed.GetValue(OutputOption);

            // For people, the directory is said once, as the shell variable the next commands use, so that every line
            // fits 80 columns for the default directory even under a long $TMPDIR (macOS's is 49 characters).
            WriteStatus(output, format, sandbox.Directory, LocalSandbox.Status(sandbox.Directory)!, sandbox.State.Links.Links, await MonitoringCommands.ReadAsync(sandbox.State, cancellationToken), withPaths: false);
            if (format == OutputFormat.Table)
            {
                var dir = parsed.GetResult(DirectoryOption) is { Implicit: false } ? " --dir \"$dir\"" : string.Empty;
                var primary = sandbox.State.PrimaryRegion;
                output.WriteLine($"""

                    Next:
                      # the sandbox's directory: its keys, REGION/data and REGION/*.log
                      dir={ShellWord.AsTyped(sandbox.Directory)}
                      # check it (exit 0: every check passed)
                      {Tool("verify")} \
                        --outputs "$dir/{LocalSandbox.OutputsFileName}" --app-secret "$dir/{Path.GetRelativePath(sandbox.Directory, sandbox.AppSecretPath)}"
                      # a fault drill: stop the primary, watch verify diagnose it, start it again
                      {Tool("sandbox")} stop {primary}{dir}
                      {Tool("sandbox")} start {primary}{dir}
                      # stop every server and remove every key
                      {Tool("sandbox")} down{dir}
                    """);
            }

            return 0;
        });
        return command;
    }

    private static Command RunCommand(TextWriter output, TextWriter error)
    {
        var directory = new Option<string>("--dir")
        {
            Description = "Directory for this run's sandbox; removed at the end.",
            // A name nobody can guess ahead of the run, so nobody can prepare the directory for it.
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), $"crosscluster-sandbox-run-{Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)}"),
            Validators = { IsDirectoryPath },
        };
        var command = new Command("run", "Start the sandbox, run verify against it, print the report and tear everything down. Exit 0 when every check passed, 1 when one failed.")
        {
            directory,
            RegionsOption,
            DelayOption,
            LinkCommands.RoundTripOption,
            LinkCommands.JitterOption,
            ModeOption,
            ArchiveTimeoutOption,
            OutputOption,
            VerifyCli.VerboseOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = LinkCommands.WithLinks(new SandboxOptions { Directory = parsed.GetValue(directory)!, Regions = RegionsOf(parsed), MinApplyDelays = DelaysOf(parsed), Replication = ReplicationOf(parsed) }, parsed);
            var progress = new ConsoleProgress(error);
            await using var sandbox = await LocalSandbox.UpAsync(options, progress, cancellationToken);
            progress.Report("Running verify");
            var failures = 0;
            var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(), result => failures += result.Status == Verify.Checks.CheckStatus.Failed ? 1 : 0, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (parsed.GetValue(OutputOption) == OutputFormat.Json)
            {
                await output.WriteLineAsync(JsonReport.Render(report));
            }
            else
            {
                TableReport.Write(report, output, parsed.GetValue(VerifyCli.VerboseOption));
            }

            progress.Report(failures == 0 ? "Stopping the sandbox" : $"{Counted.Of(failures, "check")} failed; stopping the sandbox");
            await sandbox.DisposeAsync();
            progress.Report("Stopped. Next: `./sandbox.sh up` keeps one running to try verify, a switchover and a fault drill (README, Quick start)");
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
        var command = new Command("status", "Show each region's servers and ports, and the links between regions. Exit 0 when all run (the link proxy too), 1 when any is down or no sandbox exists.")
        {
            DirectoryOption,
            OutputOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var directory = parsed.GetValue(DirectoryOption)!;
            var status = LocalSandbox.Status(directory);
            if (status is null)
            {
                await error.WriteLineAsync($"No sandbox in {directory}. Start one with `sandbox up`.");
                return 1;
            }

            var sandbox = LocalSandbox.Attach(directory);
            WriteStatus(output, parsed.GetValue(OutputOption), Path.GetFullPath(directory), status, sandbox.State.Links.Links, await MonitoringCommands.ReadAsync(sandbox.State, cancellationToken), withPaths: true);
            return status.All(r => r.Running) && sandbox.LinksRunning ? 0 : 1;
        });
        return command;
    }

    private static Command StopCommand(TextWriter output)
    {
        var (region, server) = (RegionArgument(), ServerOption());
        var command = new Command("stop", "Stop a region's PostgreSQL and/or PgBouncer for a fault drill; `sandbox start` brings them back.") { region, server, DirectoryOption };
        command.SetAction(async parsed =>
        {
            var sandbox = LocalSandbox.Attach(parsed.GetValue(DirectoryOption)!);
            var name = parsed.GetValue(region)!;
            var which = parsed.GetValue(server);
            if (which is DrillTarget.PgBouncer or DrillTarget.Both)
            {
                await sandbox.StopPoolerAsync(name);
            }

            if (which is DrillTarget.Postgres or DrillTarget.Both)
            {
                await sandbox.StopInstanceAsync(name);
            }

            await output.WriteLineAsync($"Stopped {Describe(which)} in region {name}.");
            return 0;
        });
        return command;
    }

    private static Command StartCommand(TextWriter output, TextWriter error)
    {
        var (region, server) = (RegionArgument(), ServerOption());
        var wait = NumberOption.Whole("--wait-seconds", "How long to wait, once the servers run, for a login through each running pooler; exit 1 if one does not work by then.", (int)PoolersServing.Limit.TotalSeconds, 1, 600, "seconds");
        var command = new Command("start", "Start a region's stopped PostgreSQL and/or PgBouncer again after `sandbox stop` or a crash; returns once a login through each running pooler works.") { region, server, wait, DirectoryOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var directory = parsed.GetValue(DirectoryOption)!;
            var sandbox = LocalSandbox.Attach(directory);
            var name = parsed.GetValue(region)!;
            var which = parsed.GetValue(server);
            var status = LocalSandbox.Status(directory)!.FirstOrDefault(r => r.Region == name);
            var limit = TimeSpan.FromSeconds(parsed.GetValue(wait));
            IReadOnlyList<string> notServing = [];
            if (which is DrillTarget.Postgres or DrillTarget.Both && status?.Postgres.Running != true)
            {
                notServing = await sandbox.StartInstanceAsync(name, new ConsoleProgress(error), limit, cancellationToken);
            }

            if (which is DrillTarget.PgBouncer or DrillTarget.Both && status?.PgBouncer.Running != true)
            {
                notServing = await sandbox.StartPoolerAsync(name, new ConsoleProgress(error), limit, cancellationToken);
            }

            if (notServing.Count > 0)
            {
                // The promise is logins through the poolers, not processes: running is not enough to say so.
                await error.WriteLineAsync($"sandbox: {Describe(which)} in region {name} running, but {Counted.Of(notServing.Count, "pooler")} did not serve within {limit.TotalSeconds:0} s (said above); verify fails there until it does.");
                return 1;
            }

            await output.WriteLineAsync($"{Describe(which)} in region {name} running.");
            return 0;
        });
        return command;
    }

    private static Command SwitchoverCommand(TextWriter output, TextWriter error) => PrimaryChangeCommand(
        "switchover",
        """
        Make another region primary without losing a write, as CNPG's distributed topology does: the primary is
        demoted (CHECKPOINT, fast shutdown) and gives a demotion token, the target is promoted once it has replayed
        exactly that checkpoint, and every region follows it. Interrupted, run it again: it resumes.
        """,
        (sandbox, to, progress, cancellationToken) => sandbox.SwitchoverAsync(to, progress, cancellationToken),
        output,
        error);

    private static Command FailoverCommand(TextWriter output, TextWriter error) => PrimaryChangeCommand(
        "failover",
        """
        The drill for a primary region that is gone: crash the primary, promote the target without a token after
        saying what is lost (the transactions and WAL the old primary wrote after the target's last replayed
        position, read from the old primary's pg_wal), and fence the old primary: `sandbox start` rewinds it
        onto the new timeline and starts it as a standby, never as a second primary.
        """,
        (sandbox, to, progress, cancellationToken) => sandbox.FailoverAsync(to, progress, cancellationToken),
        output,
        error);

    private static Command RotateCommand(TextWriter output, TextWriter error)
    {
        var tier = new Option<string>("--tier")
        {
            Description = "leaf: every server and client certificate; intermediate: the regional CAs and every leaf under them; root: a new root key, through the phases trustNext, signWithNext and completion.",
            Required = true,
        }.AcceptOnlyFromAmong("leaf", "intermediate", "root");
        var command = new Command("rotate", """
            Re-issue a tier of certificates on the running sandbox as `pulumi up` would inside the renewal window (keys
            kept, serials new), write the Secrets' files and reload PostgreSQL and PgBouncer as CNPG does on a Secret
            change. Connections keep working throughout; a root rotation never leaves two peers without a root both
            trust. Interrupted, run it again: a root rotation resumes at the phase it reached.
            """) { tier, DirectoryOption, OutputOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var sandbox = LocalSandbox.Attach(parsed.GetValue(DirectoryOption)!);
            RotationReport report;
            try
            {
                report = await sandbox.RotateAsync(Enum.Parse<CertificateTier>(parsed.GetValue(tier)!, ignoreCase: true), new ConsoleProgress(error), cancellationToken: cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"sandbox: interrupted; run `sandbox rotate --tier {parsed.GetValue(tier)}` again to finish it.");
                return InterruptedExitCode;
            }

            if (parsed.GetValue(OutputOption) == OutputFormat.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, TopologyOutputsJson.Options));
                return 0;
            }

            foreach (var step in report.Steps)
            {
                await output.WriteLineAsync($"{step.Name}: {Counted.Of(step.Reissued.Count, "certificate")} re-issued; bundles trust {string.Join(" and ", step.TrustedRoots)}");
            }

            await output.WriteLineAsync($"Check it: {Tool("verify")} --outputs {sandbox.OutputsPath} --app-secret {sandbox.AppSecretPath}");
            return 0;
        });
        return command;
    }

    private static Command PrimaryChangeCommand(string name, string description, Func<RunningSandbox, string, IProgress<string>, CancellationToken, Task<PrimaryChangeReport>> change, TextWriter output, TextWriter error)
    {
        var to = new Option<string>("--to") { Description = "The region that becomes primary.", Required = true };
        var command = new Command(name, description) { to, DirectoryOption, OutputOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var sandbox = LocalSandbox.Attach(parsed.GetValue(DirectoryOption)!);
            PrimaryChangeReport report;
            try
            {
                report = await change(sandbox, parsed.GetValue(to)!, new ConsoleProgress(error), cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Each step was recorded before it ran: the servers keep running and the same command resumes.
                await error.WriteLineAsync($"sandbox: interrupted; run `sandbox {name} --to {parsed.GetValue(to)}` again to resume where it stopped.");
                return InterruptedExitCode;
            }

            var dir = parsed.GetResult(DirectoryOption) is { Implicit: false } ? $" --dir {ShellWord.AsTyped(sandbox.Directory)}" : string.Empty;
            await WriteChangeAsync(output, parsed.GetValue(OutputOption), report, sandbox, dir);
            return 0;
        });
        return command;
    }

    // dir: the --dir the command was given, as the next commands must repeat it.
    private static async Task WriteChangeAsync(TextWriter output, OutputFormat format, PrimaryChangeReport report, RunningSandbox sandbox, string dir)
    {
        if (format == OutputFormat.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, TopologyOutputsJson.Options));
            return;
        }

        // The rejoin is `sandbox start` (RunningSandbox.StartInstanceAsync rewinds a fenced region first).
        await output.WriteLineAsync($"pg-{report.To} is primary (timeline {report.Timeline}); pg-{report.From} {(report.Fenced.Contains(report.From) ? $"is fenced: stopped, it starts again only rewound as a standby of pg-{report.To}, with `{Tool("sandbox")} start {report.From}{dir}`" : "streams from it")}.");
        if (report.CommitsLost is { } commits)
        {
            await output.WriteLineAsync($"Lost: {commits} transactions ({report.BytesMaybeLost} bytes of WAL) pg-{report.From} committed that pg-{report.To} never replayed.");
        }
        else if (report.BytesMaybeLost is { } lost)
        {
            await output.WriteLineAsync($"WAL pg-{report.From} had reported but pg-{report.To} never replayed: {lost} bytes.");
        }

        foreach (var diverged in report.Fenced.Where(f => f != report.From))
        {
            await output.WriteLineAsync($"pg-{diverged} had replayed past where pg-{report.To}'s timeline forks, so it cannot follow it: fenced; `{Tool("sandbox")} start {diverged}{dir}` rewinds it into a standby.");
        }

        // verify reports a fenced region as down, which it is until it rejoins.
        await output.WriteLineAsync(report.Fenced.Count > 0
            ? $"Check it once {string.Join(" and ", report.Fenced.Select(f => $"pg-{f}"))} rejoined (until then verify reports {(report.Fenced.Count > 1 ? "them" : "it")} down): {Tool("verify")} --outputs {sandbox.OutputsPath} --app-secret {sandbox.AppSecretPath}"
            : $"Check it: {Tool("verify")} --outputs {sandbox.OutputsPath} --app-secret {sandbox.AppSecretPath}");
    }

    private static Argument<string> RegionArgument() => new("region") { Description = "The region, as `sandbox status` lists it." };

    private static Option<DrillTarget> ServerOption() => EnumOption.Create<DrillTarget>("--server", "Which server.");

    private static string Describe(DrillTarget target) => target switch
    {
        DrillTarget.Postgres => "PostgreSQL",
        DrillTarget.PgBouncer => "PgBouncer",
        _ => "PostgreSQL and PgBouncer",
    };

    // The executables built beside this one, as a path from the working directory when that is shorter.
    private static string Tool(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : $"./{relative}";
    }

    private static SandboxOptions Options(ParseResult parsed) => LinkCommands.WithLinks(
        new()
        {
            Directory = parsed.GetValue(DirectoryOption)!,
            Regions = RegionsOf(parsed),
            MinApplyDelays = DelaysOf(parsed),
            Replication = ReplicationOf(parsed),
            Monitoring = MonitoringCommands.TimingOf(parsed),
        },
        parsed);

    // replication.mode and replication.archiveTimeout; a mode not named is a usage error naming the option, the timeout
    // is checked with the regions.
    private static ReplicationSettings ReplicationOf(ParseResult parsed)
    {
        var mode = parsed.GetValue(ModeOption) switch
        {
            null => ReplicationMode.Streaming,
            var named when named.Equals("streaming", StringComparison.OrdinalIgnoreCase) => ReplicationMode.Streaming,
            var named when named.Equals("archive", StringComparison.OrdinalIgnoreCase) => ReplicationMode.Archive,
            var named => throw new SandboxException($"--mode: '{named}' is not a replication mode; give --mode streaming (over mTLS, the object store as fallback) or --mode archive (the object store only).", SandboxException.UsageExitCode),
        };
        return new ReplicationSettings { Mode = mode, ArchiveTimeout = parsed.GetValue(ArchiveTimeoutOption) };
    }

    // REGION=DURATION pairs; a malformed one is a usage error naming the option, the durations are checked with the regions.
    private static Dictionary<string, string> DelaysOf(ParseResult parsed)
    {
        var delays = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parsed.GetValue(DelayOption) ?? [])
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || !delays.TryAdd(parts[0], parts[1]))
            {
                throw new SandboxException($"--min-apply-delay: '{pair}' is not REGION=DURATION for a region named once, e.g. us=5s.", SandboxException.UsageExitCode);
            }
        }

        return delays;
    }

    // The default is applied here, not by the option, so that help prints it comma-separated as it is typed.
    private static IReadOnlyList<string> RegionsOf(ParseResult parsed) =>
        parsed.GetResult(RegionsOption) is null ? SandboxTopology.DefaultRegions : parsed.GetValue(RegionsOption)!;

    // withPaths: the table ends with the directory, what lies in it and the outputs' path, unless the caller says them.
    // monitoring: each region's Prometheus and its alerts (none without --monitoring).
    private static void WriteStatus(TextWriter output, OutputFormat format, string directory, IReadOnlyList<RegionStatus> regions, IReadOnlyList<Links.RegionLink> links, IReadOnlyList<PrometheusStatus> monitoring, bool withPaths)
    {
        var outputsPath = Path.Combine(directory, LocalSandbox.OutputsFileName);
        if (format == OutputFormat.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { directory, outputs = outputsPath, regions, links = links.Select(LinkCommands.Json), monitoring }, TopologyOutputsJson.Options));
            return;
        }

        output.WriteLine($"{"REGION",-8} {"ROLE",-8} {"SERVER",-10} {"ADDRESS",-16} {"CLIENTS USE",-16} {"PID",-8} STATE");
        foreach (var r in regions)
        {
            output.WriteLine(Line(r.Region, r.Role.ToString().ToLowerInvariant(), "postgres", r.Postgres));
            output.WriteLine(Line(string.Empty, string.Empty, "pgbouncer", r.PgBouncer));
        }

        output.WriteLine("CLIENTS USE: the port verify and applications are given, across the client link");
        LinkCommands.Write(output, format, links);
        MonitoringCommands.Write(output, monitoring);
        if (withPaths)
        {
            output.WriteLine($"directory: {directory}");
            output.WriteLine($"  REGION/data, REGION/postgresql.log, REGION/pgbouncer.log");
            output.WriteLine($"outputs:   {outputsPath}");
        }
    }

    private static string Line(string region, string role, string server, ServerStatus status) =>
        $"{region,-8} {role,-8} {server,-10} {$"{SandboxTopology.Address}:{status.Port}",-16} {$"{SandboxTopology.Address}:{status.ClientPort}",-16} {status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",-8} {(status.Running ? "up" : "DOWN")}";
}

/// <summary>Which server of a region a fault drill acts on.</summary>
public enum DrillTarget
{
    /// <summary>PostgreSQL and PgBouncer.</summary>
    Both,

    /// <summary>PostgreSQL only.</summary>
    Postgres,

    /// <summary>PgBouncer only.</summary>
    PgBouncer,
}

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    /// <summary>Aligned text for people.</summary>
    Table,

    /// <summary>One JSON document for scripts.</summary>
    Json,
}

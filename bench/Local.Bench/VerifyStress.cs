using System.Diagnostics;
using System.Text;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Bench;

/// <summary>
/// verify run as a user runs it, a child process against a 2-region sandbox, while the sandbox's servers are stopped,
/// started, frozen (SIGSTOP) or crashed before or at a random instant during the run, or verify itself is interrupted.
/// Counts the runs that ended in an unhandled exception or an exit status other than 0, 1, 2, 130 or 143, or that did
/// not end at all, per fault, and quotes what each such run printed. Only the sandbox's own servers are signalled.
/// </summary>
internal static class VerifyStress
{
    // verify exits 0 (passed), 1 (a check failed) or 2 (bad input); 130 and 143 after SIGINT and SIGTERM.
    private static readonly int[] Expected = [0, 1, 2, 130, 143];

    // Four times verify's own --timeout and the checks' settling is far beyond any run that ends by itself.
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);
    private const double Timeout = 4;

    private enum Server
    {
        Postgres,
        PgBouncer,
    }

    private enum Action
    {
        None,
        Stop,
        Start,
        Freeze,
        Crash,
        Interrupt,
        Terminate,
    }

    private sealed record Fault(Action Action, Server Server, string Region, bool During)
    {
        public override string ToString() => Action switch
        {
            Action.None => "none",
            Action.Interrupt or Action.Terminate => $"{Action.ToString().ToLowerInvariant()} verify during the run",
            _ => $"{Action.ToString().ToLowerInvariant()} {Server.ToString().ToLowerInvariant()} {Region} {(During ? "during" : "before")} the run",
        };
    }

    private sealed record Outcome(int? ExitCode, bool Unhandled, string Error);

    /// <summary>Runs <paramref name="runs"/> verify runs spread evenly over the faults; exit 0 when none crashed or hung.</summary>
    public static async Task<int> RunAsync(int runs)
    {
        var faults = Faults();
        var directory = Path.Combine(Path.GetTempPath(), $"crosscluster-verify-stress-{Guid.NewGuid():N}");
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory });
        var outcomes = faults.ToDictionary(f => f, _ => new List<Outcome>());
        var random = new Random();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            var fault = faults[i % faults.Count];
            var outcome = await OneAsync(sandbox, fault, TimeSpan.FromSeconds(random.NextDouble() * Timeout));
            outcomes[fault].Add(outcome);
            if (outcome.Unhandled || outcome.ExitCode is not { } code || !Expected.Contains(code))
            {
                Console.WriteLine($"run {i + 1} ({fault}): {(outcome.ExitCode is { } c ? $"exit {c}" : "did not exit")}{(outcome.Unhandled ? ", unhandled exception" : "")}");
                Console.WriteLine(Indent(outcome.Error));
            }

            await RestoreAsync(sandbox);
        }

        Console.WriteLine($"verify-stress: {runs} runs in {elapsed.Elapsed.TotalMinutes:0.0} min, verify --timeout {Timeout}");
        foreach (var (fault, list) in outcomes.Where(o => o.Value.Count > 0))
        {
            var codes = string.Join(", ", list.GroupBy(o => o.ExitCode).OrderBy(g => g.Key).Select(g => $"{(g.Key is { } c ? $"exit {c}" : "hung")} x{g.Count()}"));
            Console.WriteLine($"  {fault,-42} {list.Count,4} runs: {codes}; unhandled {list.Count(o => o.Unhandled)}");
        }

        var all = outcomes.Values.SelectMany(o => o).ToList();
        var unhandled = all.Count(o => o.Unhandled);
        var unexpected = all.Count(o => o.ExitCode is not { } code || !Expected.Contains(code));
        Console.WriteLine($"total: {all.Count} runs, {unhandled} unhandled exceptions, {unexpected} with an exit status other than {string.Join(", ", Expected)} or no exit");
        return unhandled + unexpected == 0 ? 0 : 1;
    }

    private static List<Fault> Faults()
    {
        var faults = new List<Fault> { new(Action.None, Server.Postgres, "eu", false), new(Action.Interrupt, Server.Postgres, "eu", true), new(Action.Terminate, Server.Postgres, "eu", true) };
        foreach (var region in new[] { "eu", "us" })
        {
            foreach (var server in new[] { Server.Postgres, Server.PgBouncer })
            {
                foreach (var during in new[] { false, true })
                {
                    faults.Add(new(Action.Stop, server, region, during));
                    faults.Add(new(Action.Freeze, server, region, during));
                    faults.Add(new(Action.Crash, server, region, during));
                }

                faults.Add(new(Action.Start, server, region, true));
            }
        }

        return faults;
    }

    private static async Task<Outcome> OneAsync(RunningSandbox sandbox, Fault fault, TimeSpan at)
    {
        var frozen = new List<ProcessIdentity>();
        try
        {
            if (fault.Action == Action.Start)
            {
                await StopAsync(sandbox, fault);
            }
            else if (!fault.During && fault.Action != Action.None)
            {
                await InjectAsync(sandbox, fault, frozen);
            }

            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "verify"))
            {
                ArgumentList = { "--outputs", sandbox.OutputsPath, "--app-secret", sandbox.AppSecretPath, "--timeout", Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var verify = Process.Start(start)!;
            var error = new StringBuilder();
            verify.ErrorDataReceived += (_, e) =>
            {
                lock (error)
                {
                    error.AppendLine(e.Data);
                }
            };
            verify.OutputDataReceived += (_, _) => { };
            verify.BeginErrorReadLine();
            verify.BeginOutputReadLine();
            if (fault.During)
            {
                await Task.Delay(at);
                await InjectAsync(sandbox, fault, frozen, verify);
            }

            using var limit = new CancellationTokenSource(RunLimit);
            try
            {
                await verify.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                verify.Kill();
                await verify.WaitForExitAsync();
                return new Outcome(null, false, Tail(error));
            }

            string text;
            lock (error)
            {
                text = error.ToString();
            }

            return new Outcome(verify.ExitCode, text.Contains("Unhandled exception", StringComparison.Ordinal), Tail(error));
        }
        finally
        {
            frozen.ForEach(p => p.Thaw());
        }
    }

    private static async Task InjectAsync(RunningSandbox sandbox, Fault fault, List<ProcessIdentity> frozen, Process? verify = null)
    {
        switch (fault.Action)
        {
            case Action.Stop:
                await StopAsync(sandbox, fault);
                break;
            case Action.Start:
                await (fault.Server == Server.Postgres ? sandbox.StartInstanceAsync(fault.Region) : sandbox.StartPoolerAsync(fault.Region));
                break;
            case Action.Freeze when Identity(sandbox, fault) is { } process && process.Freeze():
                frozen.Add(process);
                break;
            case Action.Crash when Identity(sandbox, fault) is { } process:
                await (fault.Server == Server.Postgres ? process.CrashPostmasterAsync(TimeSpan.FromSeconds(15)) : process.TerminateAsync(TimeSpan.FromSeconds(15)));
                break;
            case Action.Interrupt or Action.Terminate when verify is { HasExited: false }:
                // verify is this harness' own child.
                Process.Start("kill", [fault.Action == Action.Interrupt ? "-INT" : "-TERM", verify.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                break;
        }
    }

    private static Task StopAsync(RunningSandbox sandbox, Fault fault) =>
        fault.Server == Server.Postgres ? sandbox.StopInstanceAsync(fault.Region) : sandbox.StopPoolerAsync(fault.Region);

    // The process the sandbox records for the server, while it still runs.
    private static ProcessIdentity? Identity(RunningSandbox sandbox, Fault fault)
    {
        var region = LocalSandbox.Status(sandbox.Directory)!.Single(r => r.Region == fault.Region);
        var server = fault.Server == Server.Postgres ? region.Postgres : region.PgBouncer;
        return server is { Running: true, Pid: { } pid } ? ProcessIdentity.Of(pid) : null;
    }

    // Every server running again, and every pooler serving, before the next run.
    private static async Task RestoreAsync(RunningSandbox sandbox)
    {
        foreach (var region in LocalSandbox.Status(sandbox.Directory)!)
        {
            if (!region.Postgres.Running)
            {
                await sandbox.StartInstanceAsync(region.Region);
            }

            if (!region.PgBouncer.Running)
            {
                await sandbox.StartPoolerAsync(region.Region);
            }
        }

        await sandbox.PoolersServeAsync();
    }

    private static string Tail(StringBuilder error)
    {
        lock (error)
        {
            return string.Join(Environment.NewLine, error.ToString().Split(Environment.NewLine).Where(l => l.Length > 0).TakeLast(12));
        }
    }

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split(Environment.NewLine).Select(l => "    " + l));
}

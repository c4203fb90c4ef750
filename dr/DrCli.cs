using System.CommandLine;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Dr;

/// <summary>The <c>dr</c> command line: switchover, failover and rejoin of a stack's primary region.</summary>
public static class DrCli
{
    /// <summary>Exit code after SIGINT; the entry point reports 143 for SIGTERM.</summary>
    public const int InterruptedExitCode = 130;

    private static readonly Option<string> StackOption = new("--stack") { Description = "The Pulumi stack (one per environment), e.g. prod.", Required = true };

    private static readonly Option<string> ProjectOption = new("--cwd")
    {
        Description = "The Pulumi project's directory. [default: infra when run from the repository, else .]",
        DefaultValueFactory = _ => File.Exists(Path.Combine("infra", "Pulumi.yaml")) ? "infra" : ".",
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run") { Description = "Print the steps left from the stack's current state, and do nothing." };

    private static readonly Option<int> UpMinutesOption = MinutesOption("--up-minutes", "How long each pulumi up may run before dr stops it (SIGINT, then a kill after five minutes): a replica's creation restores a base backup, so raise it for a large database.", 60, least: 1);

    private static readonly Option<OutputFormat> OutputOption = EnumOption.Create<OutputFormat>("--output", "table for people, json for scripts (verify's report).");

    /// <summary>Runs the command line with the given tools' executables; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, string pulumi = "pulumi", string kubectl = "kubectl")
    {
        var root = new RootCommand("""
            Changes which region of a CrossClusterIac stack runs the primary, with pulumi (config and up) and kubectl
            (CNPG's Cluster status through each region's kube context). Each command starts from the state it finds in
            the stack's config, so an interrupted one is resumed by running it again, and ends by running verify.
            """)
        {
            SwitchoverCommand(output, error, pulumi, kubectl),
            FailoverCommand(output, error, pulumi, kubectl),
            RejoinCommand(output, error, pulumi, kubectl),
            RemoveRegionCommand(output, error, pulumi, kubectl),
        };
        var parsed = root.Parse(args);
        if (await UsageErrors.ReportAsync(parsed, "dr", output, error) is { } usage)
        {
            return usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken);
        }
        catch (DrException e)
        {
            await error.WriteLineAsync($"dr: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("dr: interrupted; every step done so far is in the stack's config: run the same command again to resume.");
            return InterruptedExitCode;
        }
    }

    private static Command SwitchoverCommand(TextWriter output, TextWriter error, string pulumi, string kubectl)
    {
        var to = new Option<string>("--to") { Description = "The region that becomes primary.", Required = true };
        var wait = MinutesOption("--wait-minutes", "How long to wait for each of CNPG's steps (the demotion token, the promotion); 0 looks once.", 20, least: 0);
        var command = new Command("switchover", """
            A controlled switchover without losing a write: phase 1 demotes the primary (pulumi up), its demotion
            token is read from its Cluster status and stored as a secret stack config value, phase 2 promotes the
            target with it (pulumi up), then primaryRegion names the target, the token is removed, and verify runs.
            """) { StackOption, to, ProjectOption, DryRunOption, wait, UpMinutesOption, OutputOption, VerifyCli.VerboseOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var tools = Tools(parsed, pulumi, kubectl);
            var state = await tools.ReadStateAsync(cancellationToken);
            var steps = SwitchoverPlan.From(state, parsed.GetValue(to)!);
            if (parsed.GetValue(DryRunOption))
            {
                foreach (var (step, index) in steps.Select((s, i) => (s, i + 1)))
                {
                    await output.WriteLineAsync($"{index}. {step.Describe()}");
                }

                return 0;
            }

            var report = await new SwitchoverDriver(tools, Progress(error), TimeSpan.FromMinutes(parsed.GetValue(wait))).RunAsync(state, steps, cancellationToken);
            return await WriteReportAsync(output, parsed, report);
        });
        return command;
    }

    private static Command FailoverCommand(TextWriter output, TextWriter error, string pulumi, string kubectl)
    {
        var to = new Option<string>("--to") { Description = "The replica region to promote.", Required = true };
        var accept = new Option<bool>("--accept-data-loss") { Description = "Promote although what the old primary committed after the target last heard from it is lost." };
        var command = new Command("failover", """
            When the primary region is gone: say what may be lost (the target's last replayed position against the
            old primary's last reported one) and, for each other replica region, whether it can follow the target
            (one that replayed past the target may not, and needs `dr rejoin` afterwards), fence the old primary where
            its API answers, make the target primary without a token (pulumi up --continue-on-error), and run verify.
            `dr rejoin` rebuilds the old primary.
            """) { StackOption, to, ProjectOption, DryRunOption, accept, UpMinutesOption, OutputOption, VerifyCli.VerboseOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var tools = Tools(parsed, pulumi, kubectl);
            var state = await tools.ReadStateAsync(cancellationToken);
            var target = parsed.GetValue(to)!;
            var from = state.Topology.PrimaryRegion!;
            var progress = Progress(error);
            var driver = new FailoverDriver(tools, progress);
            if (target == from && state.Topology.Regions.Any(r => r.Name == target) && await driver.DeployedPrimaryAsync(cancellationToken) is { } deployed && deployed != target)
            {
                // The config already names the target, the last deployment does not: a failover whose update did not land.
                progress.Report($"primaryRegion is already {target}, but the last deployment's primary is {deployed}: applying the failover again");
                if (parsed.GetValue(DryRunOption))
                {
                    await output.WriteLineAsync($"Would fence pg-{deployed}, run pulumi up --continue-on-error with {Topology.Config.TopologyConfigLoader.FailoverKey} {target}, and verify.");
                    return 0;
                }

                return await WriteReportAsync(output, parsed, await driver.FailoverAsync(state, deployed, target, cancellationToken));
            }

            if (state.Topology.Regions.All(r => r.Name != target) || target == from)
            {
                throw new DrException($"--to: name a replica region ({string.Join(", ", state.Topology.Regions.Select(r => r.Name).Where(r => r != from))}).", DrException.UsageExitCode);
            }

            var exposure = await driver.ExposureAsync(from, target, cancellationToken);
            await output.WriteLineAsync(exposure.Line);
            foreach (var verdict in exposure.Followers)
            {
                await output.WriteLineAsync(verdict.Line);
            }

            if (parsed.GetValue(DryRunOption))
            {
                await output.WriteLineAsync($"Would fence pg-{from}, set primaryRegion {target}, run pulumi up --continue-on-error and verify.");
                return 0;
            }

            if (!parsed.GetValue(accept))
            {
                throw new DrException("a failover promotes without a token and loses what is said above; run again with --accept-data-loss to go ahead, or use `dr switchover` while the primary answers.", DrException.UsageExitCode);
            }

            var exit = await WriteReportAsync(output, parsed, await driver.FailoverAsync(state, from, target, cancellationToken));

            // Said again once the promotion, pulumi up and verify are done, so that it is the last thing read.
            foreach (var verdict in exposure.Followers.Where(v => v.Outcome != FollowOutcome.Follows))
            {
                progress.Report(verdict.Line);
            }

            return exit;
        });
        return command;
    }

    private static Command RejoinCommand(TextWriter output, TextWriter error, string pulumi, string kubectl)
    {
        var region = new Option<string>("--region") { Description = "The former primary region, back after a failover.", Required = true };
        var command = new Command("rejoin", "Rebuild a former primary as a replica of the current primary: fence it, replace its Cluster (pulumi up --replace), verify.")
        {
            StackOption, region, ProjectOption, UpMinutesOption, OutputOption, VerifyCli.VerboseOption,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var tools = Tools(parsed, pulumi, kubectl);
            var report = await new FailoverDriver(tools, Progress(error)).RejoinAsync(await tools.ReadStateAsync(cancellationToken), parsed.GetValue(region)!, cancellationToken);
            return await WriteReportAsync(output, parsed, report);
        });
        return command;
    }

    private static Command RemoveRegionCommand(TextWriter output, TextWriter error, string pulumi, string kubectl)
    {
        var region = new Option<string>("--region") { Description = "The replica region to take out of the stack for good.", Required = true };
        var command = new Command("remove-region", """
            Take a replica region out of the stack for good, its cluster answering or not (a region that is gone): lift
            its Cluster's protection, remove it from the topology, and pulumi up with PULUMI_K8S_DELETE_UNREACHABLE=true,
            which deletes its resources, or drops them from the state where its cluster does not answer; the other
            regions stop naming it. Refused for the primary region (fail over first). Run again, it finishes what an
            interrupted run left.
            """) { StackOption, region, ProjectOption, DryRunOption, UpMinutesOption, OutputOption, VerifyCli.VerboseOption };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var tools = Tools(parsed, pulumi, kubectl);
            var state = await tools.ReadStateAsync(cancellationToken);
            var name = parsed.GetValue(region)!;
            if (RegionRemoval.Refusal(state, name) is { } refusal)
            {
                throw new DrException(refusal, DrException.UsageExitCode);
            }

            var removal = new RegionRemoval(tools, Progress(error));
            var plan = await removal.PlanAsync(state, name, cancellationToken);
            if (parsed.GetValue(DryRunOption))
            {
                foreach (var (step, number) in plan.Steps.Select((s, i) => (s, i + 1)))
                {
                    await output.WriteLineAsync($"{number}. {step}");
                }

                return 0;
            }

            return await WriteReportAsync(output, parsed, await removal.RemoveAsync(plan, cancellationToken));
        });
        return command;
    }

    private static StackTools Tools(ParseResult parsed, string pulumi, string kubectl) =>
        new(parsed.GetValue(StackOption)!, parsed.GetValue(ProjectOption)!, pulumi, kubectl) { UpTimeout = TimeSpan.FromMinutes(parsed.GetValue(UpMinutesOption)) };

    // A whole number of minutes, at least <least>; anything else is refused as a usage error naming the option and an example.
    private static Option<int> MinutesOption(string name, string description, int minutes, int least) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => minutes,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= least)
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a whole number of minutes, {least} or more; e.g. {name} {minutes}.");
            return minutes;
        },
    };

    private static LineProgress Progress(TextWriter error) => new(error);

    private static async Task<int> WriteReportAsync(TextWriter output, ParseResult parsed, VerifyReport report)
    {
        if (parsed.GetValue(OutputOption) == OutputFormat.Json)
        {
            await output.WriteLineAsync(JsonReport.Render(report));
        }
        else
        {
            TableReport.Write(report, output, parsed.GetValue(VerifyCli.VerboseOption));
        }

        return report.Passed ? 0 : VerifyCli.CheckFailedExitCode;
    }
}

/// <summary>How the final report is printed.</summary>
public enum OutputFormat
{
    /// <summary>verify's table.</summary>
    Table,

    /// <summary>verify's JSON report.</summary>
    Json,
}

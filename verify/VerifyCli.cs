using System.CommandLine;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Verify;

/// <summary>The <c>verify</c> command line. Exit 0: every check passed; 1: a check failed; 2: bad input or usage.</summary>
public static class VerifyCli
{
    /// <summary>Exit code when a check failed.</summary>
    public const int CheckFailedExitCode = 1;

    /// <summary>Exit code for bad input or usage.</summary>
    public const int UsageExitCode = 2;

    private static readonly Option<string> OutputsOption = new("--outputs", "-o")
    {
        Description = "Outputs JSON in the shape `pulumi stack output --json --show-secrets` prints or `sandbox up` writes; - reads standard input.",
    };

    private static readonly Option<string> StackOption = new("--stack", "-s")
    {
        Description = "Run `pulumi stack output --json --show-secrets --stack NAME` in --infra-dir and check that stack.",
    };

    private static readonly Option<string> InfraDirectoryOption = new("--infra-dir")
    {
        Description = "The Pulumi project directory, for --stack.",
        DefaultValueFactory = _ => "infra",
    };

    private static readonly Option<double> TimeoutOption = NumberOption.Positive(
        "--timeout", "Seconds each connection attempt and each wait (replication, data arrival) may take.", new VerifyOptions().Timeout.TotalSeconds, 3600, "seconds");

    private static readonly Option<double> MaxLagOption = NumberOption.Positive(
        "--max-lag", "Milliseconds of replication lag above which the write-visible check fails.", new VerifyOptions().MaxLag.TotalMilliseconds, 3_600_000, "milliseconds");

    private static readonly Option<int> RowsOption = NumberOption.Whole(
        "--rows", "Rows in the batch that must arrive whole on every replica.", new VerifyOptions().Rows, 1, 10_000_000, "rows");

    private static readonly Option<int> ExpiryWarningOption = NumberOption.Whole(
        "--expiry-warning-days",
        "Warn about certificates that expire in fewer days; outputs that carry the stack's renewal windows (renewBeforeDays) set the threshold per tier instead.",
        new VerifyOptions().ExpiryWarningDays,
        0,
        36500,
        "days");

    private static readonly Option<string> AppSecretOption = new("--app-secret")
    {
        Description = "The primary's -app Secret as `kubectl get secret pg-eu-app -o json` prints it: its password must be refused everywhere. Without it a wrong password is tried, which still shows whether a password rule exists.",
    };

    private static readonly Option<bool> KubeOption = new("--kube")
    {
        Description = "Also read each region's CNPG Cluster and Pooler status through Kubernetes and compare it with what SQL sees (a replica CNPG calls Ready whose WAL receiver does not stream fails). Needs --kube-context for every region.",
    };

    private static readonly Option<string[]> KubeContextOption = new("--kube-context")
    {
        Description = "REGION=CONTEXT: the kubeconfig context of a region, for --kube; once per region.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> KubeconfigOption = new("--kubeconfig")
    {
        Description = "The kubeconfig file for --kube; by default every file KUBECONFIG lists, merged as kubectl merges them, else ~/.kube/config.",
    };

    private static readonly Option<string> KubeNamespaceOption = new("--kube-namespace")
    {
        Description = "The namespace of every region's Cluster and Pooler, for --kube. [default: the namespace the outputs name, else default]",
    };

    private static readonly Option<ReportFormat> OutputOption = EnumOption.Create<ReportFormat>("--output", "table for people, json for CI.");

    /// <summary>Every check's detail in the report, not only the causes of a failure and each region's summary.</summary>
    public static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "List every check with what it saw and its diagnosis, instead of the one-screen report (causes, each region, verdict).",
    };

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("""
            Proves a deployed cross-cluster PostgreSQL topology works: TLS on every endpoint, streaming replication
            over mutual TLS, a write and a batch reaching every replica, cross-region clients, refusal of every bad
            connection, and certificate chains and expiry. Exit 0: all passed; 1: a check failed; 2: bad input.
            """)
        {
            OutputsOption, StackOption, InfraDirectoryOption, TimeoutOption, MaxLagOption, RowsOption, ExpiryWarningOption, AppSecretOption, OutputOption, VerboseOption,
            KubeOption, KubeContextOption, KubeconfigOption, KubeNamespaceOption,
        };
        root.SetAction((parsed, ct) => RunAsync(parsed, input, output, error, ct));

        if (args.Length == 0)
        {
            // Help, but not exit 0: to a script, 0 says every check passed, and without outputs none ran.
            await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = error, Error = error }, cancellationToken);
            await error.WriteLineAsync("verify: nothing to check: give --outputs FILE (or - for standard input) or --stack NAME.");
            return UsageExitCode;
        }

        var parsed = root.Parse(args);
        if (await UsageErrors.ReportAsync(parsed, "verify", output, error) is { } usage)
        {
            return usage;
        }

        try
        {
            // ProcessTerminationTimeout null: the caller owns SIGINT and SIGTERM (Program.cs through ConsoleInterruption, or
            // the sandbox) and cancels cancellationToken; System.CommandLine's own handler would race it.
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
                cancellationToken);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"verify: {e.Message}");
            return UsageExitCode;
        }
    }

    private static async Task<int> RunAsync(ParseResult parsed, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = Options(parsed);
        var file = parsed.GetValue(OutputsOption);
        var outputs = await OutputsSource.ReadAsync(file, parsed.GetValue(StackOption), parsed.GetValue(InfraDirectoryOption)!, input, cancellationToken);
        options.Kube?.RequireEveryRegion(outputs);
        VerifyReport report;
        using (var progress = new ProgressLine(error))
        {
            report = await VerifyRunner.RunAsync(outputs, options, progress.Report, cancellationToken);
        }

        // A sandbox writes its outputs at the top of its directory (sandbox/LocalSandbox.cs OutputsFileName), the directory its commands take as --dir.
        if (outputs.Environment == TopologyOutputs.SandboxEnvironment && file is not (null or OutputsSource.StandardInput))
        {
            report = report with { SandboxDirectory = Path.GetDirectoryName(Path.GetFullPath(file)) };
        }

        if (parsed.GetValue(OutputOption) == ReportFormat.Json)
        {
            await output.WriteLineAsync(JsonReport.Render(report));
        }
        else
        {
            TableReport.Write(report, output, parsed.GetValue(VerboseOption));
        }

        return report.Passed ? 0 : CheckFailedExitCode;
    }

    private static VerifyOptions Options(ParseResult parsed)
    {
        var timeout = parsed.GetValue(TimeoutOption);
        var maxLag = parsed.GetValue(MaxLagOption);
        var rows = parsed.GetValue(RowsOption);
        var expiry = parsed.GetValue(ExpiryWarningOption);
        var problems = new List<string>();
        var kube = Kube(parsed, problems);

        return problems.Count > 0
            ? throw new UsageException(string.Join(Environment.NewLine + "verify: ", problems))
            : new VerifyOptions
            {
                Timeout = TimeSpan.FromSeconds(timeout),
                MaxLag = TimeSpan.FromMilliseconds(maxLag),
                Rows = rows,
                ExpiryWarningDays = expiry,
                AppSecret = parsed.GetValue(AppSecretOption) is { } appSecret ? AppSecretFile.Read(appSecret) : null,
                Kube = kube,
            };
    }

    // The options' form only; whether every region has a context is known once the outputs are read.
    private static Cnpg.KubeOptions? Kube(ParseResult parsed, List<string> problems)
    {
        var contexts = Cnpg.KubeOptions.ParseContexts(parsed.GetValue(KubeContextOption) ?? [], problems);
        var kubeconfig = parsed.GetValue(KubeconfigOption);
        var kubeNamespace = parsed.GetValue(KubeNamespaceOption);
        if (!parsed.GetValue(KubeOption))
        {
            // Without --kube nothing is read from Kubernetes; an option that would be ignored is refused, not ignored.
            var given = new Option[] { KubeContextOption, KubeconfigOption, KubeNamespaceOption }.Where(o => parsed.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 0)
            {
                problems.Add($"{string.Join(", ", given)}: only with --kube, which reads CNPG's view; add --kube");
            }

            return null;
        }

        if (kubeNamespace is not null && kubeNamespace.Trim().Length == 0)
        {
            problems.Add("--kube-namespace: give a namespace, e.g. --kube-namespace default");
        }

        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            problems.Add($"--kubeconfig {kubeconfig} does not exist; give a kubeconfig file, or leave the option out for KUBECONFIG or ~/.kube/config");
        }

        // No kubeconfig at all is a usage error, not a failed check per region: nothing could have been read.
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        var home = k8s.KubernetesClientConfiguration.KubeConfigDefaultLocation;
        if (kubeconfig is null && !Cnpg.KubeconfigFiles.Precedence(null, variable, home).Any(File.Exists))
        {
            problems.Add($"--kube: no kubeconfig: {Cnpg.KubeconfigFiles.Describe(null, variable, home)} does not exist; give --kubeconfig FILE, or set KUBECONFIG to the file(s) holding each region's context");
        }

        return new Cnpg.KubeOptions(contexts, kubeconfig, kubeNamespace?.Trim()) { KubeconfigVariable = variable };
    }
}

/// <summary>How the report is printed.</summary>
public enum ReportFormat
{
    /// <summary>A table for people.</summary>
    Table,

    /// <summary>One JSON document for CI.</summary>
    Json,
}

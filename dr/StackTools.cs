using System.Text;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Dr;

/// <summary>
/// The <c>pulumi</c> and <c>kubectl</c> command lines against one stack, each call bounded in time and its failure
/// turned into a diagnosis that names the command and quotes what it printed.
/// </summary>
/// <param name="Stack">The stack name.</param>
/// <param name="ProjectDirectory">The Pulumi project's directory (<c>infra</c>).</param>
/// <param name="Pulumi">The <c>pulumi</c> executable.</param>
/// <param name="Kubectl">The <c>kubectl</c> executable.</param>
public sealed record StackTools(string Stack, string ProjectDirectory, string Pulumi = "pulumi", string Kubectl = "kubectl")
{
    private static readonly TimeSpan ConfigTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KubectlTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long each <c>pulumi up</c> may run before it is stopped (<c>--up-minutes</c>).</summary>
    public TimeSpan UpTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a tool asked to stop (SIGINT) has before it is killed: long enough for pulumi to finish the operations in flight.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <summary>The stack's config, secrets shown.</summary>
    public async Task<StackState> ReadStateAsync(CancellationToken cancellationToken) =>
        StackState.Parse(await PulumiAsync(["config", "--json", "--show-secrets"], ConfigTimeout, cancellationToken));

    /// <summary><c>pulumi config set --path</c>.</summary>
    public Task SetAsync(string path, string value, CancellationToken cancellationToken) =>
        PulumiAsync(["config", "set", "--path", path, value], ConfigTimeout, cancellationToken);

    /// <summary>
    /// <c>pulumi config set --secret</c>: the value is encrypted in the stack file. It goes in on standard input, which
    /// pulumi reads when no value is given and stdin is not a terminal (pulumi/pulumi pkg/cmd/pulumi/config/config.go
    /// configSetCmd.Run), so it never shows in the process list.
    /// </summary>
    public Task SetSecretAsync(string key, string value, CancellationToken cancellationToken) =>
        PulumiAsync(["config", "set", "--secret", key], ConfigTimeout, cancellationToken, input: value);

    /// <summary><c>pulumi config rm --path</c>.</summary>
    public Task RemoveAsync(string path, CancellationToken cancellationToken) =>
        PulumiAsync(["config", "rm", "--path", path], ConfigTimeout, cancellationToken);

    /// <summary><c>pulumi up --yes --skip-preview</c>, its output passed on line by line as progress.</summary>
    public Task UpAsync(IProgress<string> progress, CancellationToken cancellationToken, params string[] extra) =>
        PulumiAsync(["up", "--yes", "--skip-preview", .. extra], UpTimeout, cancellationToken, progress);

    /// <summary><c>pulumi up --yes --skip-preview</c> with <paramref name="environment"/> added to pulumi's.</summary>
    public Task UpAsync(IProgress<string> progress, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken) =>
        PulumiAsync(["up", "--yes", "--skip-preview"], UpTimeout, cancellationToken, progress, environment: environment);

    /// <summary><c>pulumi state unprotect --yes</c>: the resource may then be deleted.</summary>
    public Task UnprotectAsync(string urn, CancellationToken cancellationToken) =>
        PulumiAsync(["state", "unprotect", urn, "--yes"], ConfigTimeout, cancellationToken);

    /// <summary>The stack outputs, secrets shown (<c>pulumi stack output --json --show-secrets</c>).</summary>
    public Task<string> OutputsAsync(CancellationToken cancellationToken) =>
        PulumiAsync(["stack", "output", "--json", "--show-secrets"], ConfigTimeout, cancellationToken);

    /// <summary>The stack's state (<c>pulumi stack export</c>): resource URNs and inputs, secrets encrypted.</summary>
    public Task<string> ExportAsync(CancellationToken cancellationToken) =>
        PulumiAsync(["stack", "export"], ConfigTimeout, cancellationToken);

    /// <summary>A field of a CNPG Cluster's status, read with <c>kubectl get -o jsonpath</c>; empty while unset.</summary>
    public async Task<string> ClusterFieldAsync(string context, string ns, string cluster, string jsonPath, CancellationToken cancellationToken) =>
        (await KubectlAsync(["--context", context, "--namespace", ns, "get", "clusters.postgresql.cnpg.io", cluster, "-o", $"jsonpath={{{jsonPath}}}"], cancellationToken)).Trim();

    /// <summary>
    /// Fences every instance of a Cluster (CNPG's <c>cnpg.io/fencedInstances: ["*"]</c>, docs/src/fencing.md): its
    /// PostgreSQL is stopped and accepts nothing until the annotation goes.
    /// </summary>
    public Task FenceAsync(string context, string ns, string cluster, CancellationToken cancellationToken) =>
        KubectlAsync(["--context", context, "--namespace", ns, "annotate", "--overwrite", "clusters.postgresql.cnpg.io", cluster, $"{Fencing.Annotation}={Fencing.EveryInstance}"], cancellationToken);

    private Task<string> PulumiAsync(string[] arguments, TimeSpan timeout, CancellationToken cancellationToken, IProgress<string>? progress = null, string? input = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        RunAsync(Pulumi, [.. arguments, "--stack", Stack, "--cwd", ProjectDirectory, "--non-interactive"], timeout, cancellationToken, progress, input, environment);

    private Task<string> KubectlAsync(string[] arguments, CancellationToken cancellationToken) =>
        RunAsync(Kubectl, [.. arguments, $"--request-timeout={(int)KubectlTimeout.TotalSeconds}s"], KubectlTimeout + TimeSpan.FromSeconds(5), cancellationToken);

    // What to run for the states an interrupted pulumi leaves, in pulumi's own words: a lock no process holds any more
    // (pkg/backend/diy/lock.go checkForLock), and resources whose operation never completed
    // (pkg/resource/deploy/deployment_executor.go printPendingOperationsWarning).
    private static string Remedy(string said, string[] arguments)
    {
        var stack = arguments.SkipWhile(a => a != "--stack").Skip(1).FirstOrDefault();
        var directory = arguments.SkipWhile(a => a != "--cwd").Skip(1).FirstOrDefault();
        var scope = $"--stack {stack} --cwd {directory}";
        if (said.Contains("the stack is currently locked", StringComparison.Ordinal))
        {
            return $" If no other pulumi runs on this stack (a killed one leaves its lock behind), remove the lock with `pulumi cancel {scope}`, then run the same dr command again.";
        }

        return said.Contains("pending operations from previous deployment", StringComparison.Ordinal)
            ? $" An interrupted update left resources in an unknown state: check them, run `pulumi refresh {scope} --clear-pending-creates`, then the same dr command again."
            : string.Empty;
    }

    private static async Task<string> RunAsync(string executable, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken, IProgress<string>? progress = null, string? input = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        // Asked to stop (dr interrupted, or the time limit), the tool gets SIGINT first (CliWrap's graceful
        // cancellation): pulumi then cancels its update ("^C received; cancelling", pulumi/pulumi
        // pkg/backend/cancellation_scope.go: the first SIGINT or SIGTERM cancels, only a second terminates), lets the
        // operations in flight end and unlocks the stack, where SIGKILL would leave it locked with pending operations
        // (pkg/backend/diy/lock.go checkForLock). Only a tool still running after the grace period is killed.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var forceful = new CancellationTokenSource();
        limit.CancelAfter(timeout);
        using var escalation = limit.Token.Register(() => forceful.CancelAfter(Grace));
        var shown = $"{executable} {string.Join(' ', arguments)}";
        var output = new StringBuilder();
        var error = new StringBuilder();
        CommandResult result;
        try
        {
            result = await Cli.Wrap(executable).WithArguments(arguments).WithValidation(CommandResultValidation.None)
                .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
                .WithStandardInputPipe(input is null ? PipeSource.Null : PipeSource.FromString(input))
                .WithStandardOutputPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(output), PipeTarget.ToDelegate(line => progress?.Report(line))))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(error))
                .ExecuteAsync(forceful.Token, limit.Token);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new DrException($"`{executable}` is not on PATH; install it (dr drives the stack with pulumi and reads CNPG's status with kubectl).", DrException.UsageExitCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DrException($"`{shown}` did not finish within {timeout.TotalMinutes:0.#} min.");
        }

        if (result.ExitCode != 0)
        {
            var said = string.Join(" ", new[] { error.ToString(), output.ToString() }.Select(s => s.Trim()).Where(s => s.Length > 0));
            throw new DrException($"`{shown}` failed (exit {result.ExitCode}): {(said.Length <= 800 ? said : "…" + said[^800..])}{Remedy(said, arguments)}");
        }

        return output.ToString();
    }

}

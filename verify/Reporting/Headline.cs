using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>One cause of a failed run, every check it stopped, and the one command to run next.</summary>
/// <param name="Cause">What is wrong, e.g. "pg-eu is down".</param>
/// <param name="Consequence">What it cost, e.g. "14 checks could not run".</param>
/// <param name="Next">The command to run next, or what to read.</param>
/// <param name="Checks">The failed checks it explains.</param>
public sealed record Headline(string Cause, string Consequence, string Next, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>
    /// The failures of <paramref name="report"/> grouped by cause: every check a server stopped under that server (its
    /// region's PostgreSQL, PgBouncer, or a former primary a failover fenced), then each other diagnosis once.
    /// </summary>
    public static IReadOnlyList<Headline> Of(VerifyReport report)
    {
        var failed = report.Checks.Where(c => c.Status == CheckStatus.Failed).ToList();
        var byServer = failed.Where(c => c.Cause is not null)
            .GroupBy(c => c.Cause!)
            .OrderBy(g => g.Key.Server)
            .Select(g => ForServer(report, g.Key, [.. g]));
        var byDiagnosis = failed.Where(c => c.Cause is null)
            .GroupBy(c => c.Diagnosis ?? c.Detail)
            .Select(g => new Headline(
                $"{string.Join(", ", g.Select(Name).Distinct())} failed",
                g.Key,
                "verify --verbose shows what each check saw",
                [.. g]));
        return [.. byServer, .. byDiagnosis];
    }

    private static Headline ForServer(VerifyReport report, RootCause cause, IReadOnlyList<CheckResult> checks)
    {
        var region = report.Outputs?.Regions.FirstOrDefault(r => r.Name == cause.Region);
        var names = new ClusterNames(cause.Region, report.Outputs?.DeployedIdentity?.Namespace ?? "default");
        var sandbox = report.Environment == TopologyOutputs.SandboxEnvironment;
        var consequence = $"{checks.Count} {(checks.Count == 1 ? "check" : "checks")} could not run";
        var kubectl = $"kubectl{Context(report, cause.Region)}";
        if (cause.Server == EndpointKind.Instance && report.IsFenced(cause.Region))
        {
            // A fenced former primary starts again only rewound into a standby of the new primary: `sandbox start`
            // (sandbox/PrimaryChanges.cs RejoinAsync), or on a cluster `dr rejoin`, which rebuilds it (README "Changing the
            // primary"). A fence on the region the outputs call primary was set by hand: CNPG's plugin lifts it
            // (internal/cmd/plugin/fence/cmd.go, `fencing off CLUSTER INSTANCE`).
            var next = sandbox ? $"sandbox start {cause.Region}{Dir(report)}"
                : region?.Role == RegionRole.Primary ? $"{kubectl} cnpg fencing off {names.Cluster} '{Fencing.AllInstances}'"
                : $"dr rejoin --stack {report.Environment} --region {cause.Region}";
            var why = report.FencedByCnpg(cause.Region) ? $"is fenced ({Fencing.Annotation})" : "is fenced after a failover";
            return new Headline($"{names.Cluster} {why}", consequence, next, checks);
        }

        var what = cause.Server == EndpointKind.Instance ? names.Cluster : $"{names.Pooler} (PgBouncer)";
        var state = cause.State switch
        {
            ServerState.Down => "is down",
            ServerState.Stuck => "is stuck: it accepts TCP but does not answer",
            _ => "cannot be reached: no TCP connection is made",
        };

        // On a cluster: CNPG's plugin shows the Cluster's instances (internal/cmd/plugin/status/cmd.go NewCmd), and a
        // Pooler's pods carry cnpg.io/poolerName (pkg/utils/labels_annotations.go PgbouncerNameLabel).
        var command = (sandbox, cause.Server, cause.State) switch
        {
            (true, EndpointKind.Instance, ServerState.Down) => $"sandbox start {cause.Region} --server postgres{Dir(report)}",
            (true, EndpointKind.Pooler, ServerState.Down) => $"sandbox start {cause.Region} --server pgbouncer{Dir(report)}",
            (true, _, _) => $"sandbox status{Dir(report)}",
            (false, EndpointKind.Instance, _) => $"{kubectl} cnpg status {names.Cluster}",
            (false, _, _) => $"{kubectl} get pods -l cnpg.io/poolerName={names.Pooler}",
        };
        return new Headline($"{what} {state}", consequence, command, checks);
    }

    /// <summary>How the report names a check: with its region, where it has one.</summary>
    public static string Name(CheckResult check) => check.Region is null ? check.Name : $"{check.Name} ({check.Region})";

    // The sandbox the outputs came from, as the user gave it to verify: a next command without it would act on the default one.
    private static string Dir(VerifyReport report) =>
        report.SandboxDirectory is { } directory ? $" --dir {ShellWord.AsTyped(directory)}" : string.Empty;

    private static string Context(VerifyReport report, string region) =>
        report.Outputs?.DeployedIdentity?.Regions.FirstOrDefault(r => r.Name == region) is { } deployed
            ? $" --context {deployed.KubeContext}{(report.Outputs.DeployedIdentity.Namespace is { Length: > 0 } ns ? $" -n {ns}" : string.Empty)}"
            : string.Empty;
}

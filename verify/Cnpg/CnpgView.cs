using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// Sets CNPG's view of a region beside verify's own SQL view and says where they disagree. Pure: the reading is done
/// elsewhere (<see cref="CnpgReader"/>, <c>CnpgChecks</c>), so each verdict is tested on recorded status documents.
/// </summary>
public static class CnpgView
{
    /// <summary>Reports what CNPG says of the region (phase, conditions, primary, instances, demotion token) beside what SQL saw.</summary>
    public const string StatusCheck = "cnpg-status";

    /// <summary>Fails where CNPG says a replica cluster is Ready while its WAL receiver does not stream.</summary>
    public const string ReadyButNotStreamingCheck = "cnpg-ready-but-not-streaming";

    /// <summary>Fails where the instance verify reached is not the one CNPG calls the current primary.</summary>
    public const string CurrentPrimaryCheck = "cnpg-current-primary";

    /// <summary>Reports what CNPG says of the region's Pooler.</summary>
    public const string PoolerStatusCheck = "cnpg-pooler-status";

    /// <summary>Every check's outcome for one region: <see cref="StatusCheck"/>, <see cref="CurrentPrimaryCheck"/> and, for a replica, <see cref="ReadyButNotStreamingCheck"/>.</summary>
    public static IReadOnlyList<CnpgFinding> Compare(CnpgClusterStatus cnpg, SqlView sql)
    {
        List<CnpgFinding> findings =
        [
            new(StatusCheck, Status(cnpg, $"SQL: {Sql(sql)}")),
            new(CurrentPrimaryCheck, CurrentPrimary(cnpg, sql)),
        ];
        if (sql.Role == RegionRole.Replica)
        {
            findings.Add(new(ReadyButNotStreamingCheck, ReadyButNotStreaming(cnpg, sql)));
        }

        return findings;
    }

    /// <summary>
    /// The same checks when verify's SQL could not look at the region: CNPG's view is still reported, and each comparison
    /// fails, since a cluster CNPG may call Ready while verify cannot reach it is what these checks exist to catch.
    /// </summary>
    public static IReadOnlyList<CnpgFinding> CompareWithoutSql(CnpgClusterStatus cnpg, RegionRole role, string sqlFailure)
    {
        var cannot = CheckOutcome.Fail(
            $"CNPG: {Readiness(cnpg)}; SQL: unavailable",
            $"CNPG's view cannot be compared with verify's: {sqlFailure}");
        List<CnpgFinding> findings =
        [
            new(StatusCheck, Status(cnpg, "SQL: unavailable (see the diagnosis of cnpg-current-primary)")),
            new(CurrentPrimaryCheck, cannot),
        ];
        if (role == RegionRole.Replica)
        {
            findings.Add(new(ReadyButNotStreamingCheck, cannot));
        }

        return findings;
    }

    /// <summary>The Pooler's phase and instances; an inactive or failed Pooler fails, a paused one warns.</summary>
    public static CheckOutcome Pooler(CnpgPoolerStatus pooler)
    {
        var reason = pooler.PhaseReason is { Length: > 0 } r ? $": {r}" : string.Empty;
        var error = pooler.Error is { Length: > 0 } e ? $"; admission error: {e}" : string.Empty;
        var detail = $"Pooler {pooler.Name ?? "(unnamed)"} of {pooler.Cluster ?? "(no cluster)"}: phase {Quote(pooler.Phase)}{reason}, {pooler.Instances?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} instances scheduled{error}";
        return pooler.Phase switch
        {
            // CNPG sets active once the Deployment is reconciled and its Secrets exist, not when PgBouncer serves
            // (internal/controller/pooler_status.go): verify's pooler logins are the proof of the latter.
            CnpgPoolerStatus.ActivePhase => CheckOutcome.Pass(detail),

            // CNPG before v1.30 reports no phase: nothing to judge.
            null => CheckOutcome.Pass($"{detail} (this CNPG reports no Pooler phase)"),
            "paused" => CheckOutcome.Warn(detail, $"CNPG holds new client connections in PgBouncer's queue: spec.pgbouncer.paused is true on {pooler.Name}"),
            _ => CheckOutcome.Fail(detail, $"CNPG cannot reconcile Pooler {pooler.Name}{reason}{error}"),
        };
    }

    private static CheckOutcome Status(CnpgClusterStatus cnpg, string sql) => StatusOf(cnpg, sql) with { Fenced = cnpg.FencesPrimary };

    private static CheckOutcome StatusOf(CnpgClusterStatus cnpg, string sql)
    {
        var archiving = cnpg.ContinuousArchiving is { } a ? $", ContinuousArchiving {a.Summary}" : string.Empty;
        var fenced = cnpg.FencedInstances.Count > 0 ? $", fenced instances {string.Join(", ", cnpg.FencedInstances)}" : string.Empty;
        var detail = $"CNPG: {Readiness(cnpg)}, current primary {cnpg.CurrentPrimary ?? "none"}{Target(cnpg)}, demotion token {(cnpg.DemotionToken is { Length: > 0 } ? "present (not shown)" : "absent")}{archiving}{fenced}; {sql}";
        if (cnpg.FencesPrimary)
        {
            // A fenced instance's manager keeps PostgreSQL stopped (internal/management/controller/instance_controller.go
            // reconcileFencing) and the operator starts no switchover or failover away from it meanwhile (internal/controller/cluster_controller.go handleSwitchover).
            return CheckOutcome.Warn(detail, $"CNPG fences {Name(cnpg)}'s primary ({Fencing.Annotation}): PostgreSQL is stopped there and nothing answers its endpoints; `dr rejoin` rebuilds a former primary, `kubectl cnpg fencing off {Name(cnpg)} '{Fencing.AllInstances}'` lifts a fence set by hand");
        }

        if (!cnpg.SaysReady)
        {
            var reason = cnpg.PhaseReason is { Length: > 0 } r ? $" ({r})" : string.Empty;
            return CheckOutcome.Warn(detail, $"CNPG does not report {Name(cnpg)} Ready: phase {Quote(cnpg.Phase)}{reason}; verify's SQL checks say whether the data path works meanwhile");
        }

        return cnpg.ContinuousArchiving is { IsTrue: false } failing
            ? CheckOutcome.Warn(detail, $"CNPG reports WAL archiving failing on {Name(cnpg)}: {failing.Message ?? failing.Reason}; a replica that loses its streaming link falls back on the archive")
            : CheckOutcome.Pass(detail);
    }

    private static CheckOutcome ReadyButNotStreaming(CnpgClusterStatus cnpg, SqlView sql)
    {
        var detail = $"CNPG: {Readiness(cnpg)}; SQL: {Sql(sql)}";
        if (!cnpg.SaysReady)
        {
            return CheckOutcome.Pass($"{detail}: CNPG claims no readiness for the WAL receiver to contradict (cnpg-status reports it)");
        }

        // CNPG derives Ready from the phase alone (pkg/resources/status/transactions.go SetClusterReadyCondition), and no
        // phase speaks of the link to the source: a replica cluster stays Ready with its WAL receiver down
        // (cloudnative-pg #817, #3681, #7895).
        var claim = $"CNPG reports {Name(cnpg)} Ready ({ClaimDetail(cnpg)})";
        if (!sql.InRecovery)
        {
            return CheckOutcome.Fail(detail, $"{claim} but it is not in recovery (pg_is_in_recovery() false): it no longer follows its source at all, and CNPG's readiness does not say so (cloudnative-pg #817)");
        }

        return sql.IsStreaming
            ? CheckOutcome.Pass($"{detail}: both views agree")
            : CheckOutcome.Fail(detail, $"{claim} but its WAL receiver is not streaming ({sql.Receiver}): CNPG's readiness does not cover the link to the source (cloudnative-pg #817)");
    }

    private static CheckOutcome CurrentPrimary(CnpgClusterStatus cnpg, SqlView sql)
    {
        var reached = $"verify reached {sql.ServerAddress ?? "an instance"} ({(sql.InRecovery ? "in recovery" : "not in recovery")})";
        if (cnpg.CurrentPrimary is not { Length: > 0 } current)
        {
            return CheckOutcome.Fail($"CNPG: no current primary; SQL: {reached}", $"CNPG names no current primary for {sql.Cluster} while {reached} through its read-write endpoint: the operator has not (yet) elected one, or lost track of it");
        }

        var primaryIp = cnpg.InstancesReportedState.TryGetValue(current, out var state) ? state.Ip : null;
        var detail = $"CNPG: current primary {current}{(primaryIp is null ? string.Empty : $" at {primaryIp}")}{Target(cnpg)}; SQL: {reached}";
        if (primaryIp is not null && sql.ServerAddress is not null && primaryIp != sql.ServerAddress)
        {
            var other = cnpg.InstancesReportedState.FirstOrDefault(s => s.Value.Ip == sql.ServerAddress).Key;
            var which = other is null ? "an address CNPG reports for none of its instances" : $"CNPG's instance {other}";
            return CheckOutcome.Fail(detail, $"CNPG's current primary of {sql.Cluster} is {current} at {primaryIp}, but the read-write endpoint verify uses led to {sql.ServerAddress} ({which}): the exposure or its twin Services point at the wrong instance, or CNPG's status is stale");
        }

        if (cnpg.TargetPrimary is { Length: > 0 } target && target != current)
        {
            return CheckOutcome.Warn(detail, $"CNPG is moving {sql.Cluster}'s primary from {current} to {target}: a switchover or failover inside the cluster is under way; run verify again once currentPrimary equals targetPrimary");
        }

        var compared = primaryIp is null || sql.ServerAddress is null ? " (addresses not compared: CNPG or PostgreSQL reports none)" : ": the same instance";
        return CheckOutcome.Pass(detail + compared);
    }

    private static string Readiness(CnpgClusterStatus cnpg) =>
        $"phase {Quote(cnpg.Phase)}, Ready {cnpg.Ready?.Summary ?? "not reported"}, {Count(cnpg.ReadyInstances)}/{Count(cnpg.Instances)} instances ready";

    private static string ClaimDetail(CnpgClusterStatus cnpg) =>
        $"phase {Quote(cnpg.Phase)}, {Count(cnpg.ReadyInstances)}/{Count(cnpg.Instances)} instances ready";

    private static string Sql(SqlView sql) =>
        $"{(sql.InRecovery ? "in recovery" : "not in recovery")}, {sql.Receiver}, last archived WAL {sql.LastArchivedWal ?? "none"} (pg_stat_archiver)";

    private static string Target(CnpgClusterStatus cnpg) =>
        cnpg.TargetPrimary is { Length: > 0 } target && target != cnpg.CurrentPrimary ? $", target primary {target}" : string.Empty;

    private static string Name(CnpgClusterStatus cnpg) => cnpg.Name ?? "the cluster";

    private static string Quote(string? value) => value is null ? "not reported" : $"'{value}'";

    private static string Count(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// What must hold over every update of every operation; each check names the update, the resource and the rule broken.
/// </summary>
public static class LifecycleInvariants
{
    /// <summary>The invariants, by name; each gives the violations of one judged update.</summary>
    public static readonly IReadOnlyDictionary<string, Func<UpdateVerdict, IEnumerable<string>>> All = new Dictionary<string, Func<UpdateVerdict, IEnumerable<string>>>(StringComparer.Ordinal)
    {
        ["the engine takes every step of an allowed update"] = v => v.Steps
            .Where(s => s.Step.Action == PlannedAction.Refused)
            .Select(s => $"{s.Key}: {s.Step.Reason}"),
        ["no Cluster or its volumes is replaced or deleted except by an explicit rebuild or removal"] = v => v.Steps
            .Where(s => s.Key.Kind == "Cluster")
            .Where(s => s.Step.Action is PlannedAction.ReplaceCreateFirst or PlannedAction.ReplaceDeleteFirst && s.Key.Region != v.Update.State.Rebuild
                || s.Step.Action == PlannedAction.Delete && !v.Update.Unprotected.Contains(s.Key.Region))
            .Select(s => $"{s.Key}: {s.Step.Action} ({s.Step.Reason})"),
        ["no Secret or ConfigMap a pod mounts is deleted, even for a moment"] = v => v.Steps
            .Where(s => s.Key.Kind is "Secret" or "ConfigMap")
            .Where(s => s.Step.Action == PlannedAction.ReplaceDeleteFirst || s.Step.Action == PlannedAction.Delete && StillUsed(v, s.Key))
            .Select(s => $"{s.Key}: {s.Step.Action} ({s.Step.Reason ?? "no longer declared while still named"})"),
        ["CNPG admits every object sent"] = v => v.Steps.SelectMany(s => s.Refusals.Select(r => $"{s.Key}: {r}")),
        ["a re-created Cluster restores into the archive its predecessor filled"] = v => v.Steps
            .Where(s => s.Key.Kind == "Cluster" && s.Step.Action is PlannedAction.ReplaceCreateFirst or PlannedAction.ReplaceDeleteFirst)
            .Where(s => s.Sent!.Paths.GetValueOrDefault($"metadata.annotations.{Manifests.RebuiltCluster.SkipEmptyWalArchiveCheck}") != "\"enabled\"")
            .Select(s => $"{s.Key}: plugin-barman-cloud refuses to restore into its non-empty WAL archive (restore.go checkBackupDestination)"),
        ["every certificate change reaches every process that presents or trusts it within one reconcile"] = Unheard,
        ["a region whose API does not answer holds up no change in the others"] = v => v.Steps
            .Where(s => s.Step.Action == PlannedAction.Skipped && !v.Update.Unreachable.Contains(s.Key.Region) && (s.Before is null || s.Step.Changed.Count > 0))
            .Select(s => $"{s.Key}: skipped, it {s.Step.Reason}"),
        ["every region's outputs stay known, a region whose API does not answer included"] = v => v.UnknownOutputs
            .Select(o => $"{o} is unknown to the program: it waits for a resource whose step failed or was skipped"),
        ["no Cluster update waits for a full base backup"] = v => v.Changes
            .Where(s => s.Key.Kind == "Backup" && s.Sent is not null && s.Sent.Paths.ContainsKey("metadata.annotations.pulumi.com/waitFor"))
            .Where(_ => v.Changes.Any(c => c.Key.Kind == "Cluster" && c.Step.Action == PlannedAction.Update))
            .Select(s => $"{s.Key} is awaited until completed, and the replica Clusters updated with it wait on it (BootstrapWait waits only when a Cluster is created)"),
    };

    /// <summary>The violations of every update of <paramref name="scenario"/>; an update that must be refused must be.</summary>
    public static IReadOnlyList<string> Check(Scenario scenario)
    {
        var violations = new List<string>();
        foreach (var verdict in TransitionJudge.Judge(scenario))
        {
            if (verdict.Update.MustBeRefused)
            {
                if (verdict.ProgramRefusals.Count == 0)
                {
                    // The engine's protect stops a replacement too, but its message advises lifting the protection,
                    // which is the way to lose the data: the program must refuse first, naming the key.
                    violations.Add($"{scenario.Operation}, {verdict.Update.Name}: {(verdict.Refused ? "refused only by the engine" : "applied")}, though it loses data; the program must refuse it, naming the key");
                }

                continue;
            }

            violations.AddRange(All.SelectMany(i => i.Value(verdict).Select(v => $"{scenario.Operation}, {verdict.Update.Name}: {i.Key}: {v}")));
        }

        return violations;
    }

    // A Secret with new certificate material must be re-read by the Cluster's PostgreSQL and the Pooler's PgBouncer that name it.
    private static IEnumerable<string> Unheard(UpdateVerdict verdict)
    {
        foreach (var step in verdict.Changes.Where(s => s.Key.Kind == "Secret" && s.Step.Action != PlannedAction.Create && s.Sent is not null))
        {
            if (!step.Step.Changed.Any(p => ObjectImage.Under(p, "data") || ObjectImage.Under(p, "stringData")))
            {
                continue;
            }

            var region = verdict.Steps.Where(s => s.Key.Region == step.Key.Region && s.Sent is not null).Select(s => s.Sent!).ToList();
            var consumers = new[]
            {
                (Kind: "Cluster", Process: CnpgReaction.PostgreSql, Uses: (Func<ObjectImage, IReadOnlySet<string>>)CnpgReaction.ClusterSecrets),
                (Kind: "Pooler", Process: CnpgReaction.PgBouncer, Uses: CnpgReaction.PoolerSecrets),
            };
            foreach (var (kind, process, uses) in consumers)
            {
                if (region.Any(o => o.Manifest.Kind == kind && uses(o).Contains(step.Key.Name))
                    && !verdict.Reactions.Any(r => r.Region == step.Key.Region && r.Process == process && (r.Cause == step.Key || AfterSecrets(r))))
                {
                    yield return $"{step.Key}: new material that {kind} {process} is never told of";
                }
            }
        }
    }

    // A reaction caused by an object that changes after the region's Secrets (the Cluster and the Pooler depend on them)
    // re-reads every one of them.
    private static bool AfterSecrets(Reaction reaction) => reaction.Cause.Kind is "Pooler" or "Cluster";

    private static bool StillUsed(UpdateVerdict verdict, ObjectKey key) =>
        verdict.Steps.Where(s => s.Key.Region == key.Region && s.Sent is not null)
            .Any(s => s.Key.Kind == "Cluster" && CnpgReaction.ClusterSecrets(s.Sent!).Contains(key.Name)
                || s.Key.Kind == "Pooler" && CnpgReaction.PoolerSecrets(s.Sent!).Contains(key.Name));
}

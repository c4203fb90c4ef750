namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>A process told about a change, in the region whose object changed.</summary>
/// <param name="Process">Which process: see <see cref="CnpgReaction"/>'s constants.</param>
/// <param name="Cause">The object whose creation or change tells it.</param>
public sealed record Reaction(string Process, ObjectKey Cause)
{
    /// <summary>The region of the process.</summary>
    public string Region => Cause.Region;
}

/// <summary>
/// Which process CNPG v1.30.0 (or Kubernetes) tells about each change of an update, within one reconcile: the rules
/// below, each from the source it was read in. Nothing here waits for controller-runtime's periodic resync: a change no
/// rule maps to a process is one no process hears of in time.
/// </summary>
public static class CnpgReaction
{
    /// <summary>PostgreSQL re-reads its certificate files and configuration (a reload).</summary>
    public const string PostgreSql = "PostgreSQL reload";

    /// <summary>PgBouncer re-reads the Secrets its Pooler names and RELOADs.</summary>
    public const string PgBouncer = "PgBouncer reload";

    /// <summary>PgBouncer's pods are replaced by a rollout of its Deployment.</summary>
    public const string PoolerRollout = "PgBouncer pods roll";

    /// <summary>The instance manager rewrites primary_conninfo and restore_command, and the WAL receiver reconnects.</summary>
    public const string WalReceiver = "WAL receiver reconnects";

    /// <summary>kube-proxy reprograms the Service's routes.</summary>
    public const string KubeProxy = "kube-proxy reprograms";

    /// <summary>
    /// Cluster DNS answers an ExternalName Service's new name: CoreDNS's kubernetes plugin serves it from its watch of
    /// Services (coredns plugin/kubernetes, ExternalName as a CNAME), cached by clients for its TTL (5 s by default).
    /// </summary>
    public const string ClusterDns = "cluster DNS answers the new CNAME";

    /// <summary>The instance manager re-reads the custom monitoring queries.</summary>
    public const string Exporter = "metrics exporter reloads queries";

    /// <summary>CNPG makes the Cluster's instances: initdb, or a restore Job from the bootstrap source's backup.</summary>
    public const string Bootstrap = "instances bootstrapped";

    private const string ReloadLabel = $"metadata.labels.{Manifests.Objects.ReloadLabel}";

    private static readonly string[] ExternalClusterSecretFields = ["sslCert", "sslKey", "sslRootCert"];

    /// <summary>The processes told about the steps of one region's update, given its objects after it.</summary>
    public static IReadOnlyList<Reaction> Of(string region, IReadOnlyList<JudgedStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var after = steps.Where(s => s.Key.Region == region && s.Sent is not null).ToDictionary(s => s.Key, s => s.Sent!);
        var cluster = after.Values.SingleOrDefault(o => o.Manifest.Kind == "Cluster");
        var pooler = after.Values.SingleOrDefault(o => o.Manifest.Kind == "Pooler");
        var reactions = new List<Reaction>();
        foreach (var step in steps.Where(s => s.Key.Region == region && s.Sent is not null && s.Step.Action is not (PlannedAction.Same or PlannedAction.Refused)))
        {
            var sent = step.Sent!;
            switch (step.Key.Kind)
            {
                case "Secret" when step.Step.Action != PlannedAction.Create:
                    // api/v1/cluster_funcs.go UsesSecret (spec.certificates, externalClusters' ssl Secrets) for a Secret the
                    // Cluster owns or labelled cnpg.io/reload (internal/controller/cluster_controller.go isUsefulClusterSecret);
                    // the instance manager's RefreshSecrets rewrites the files and PostgreSQL reloads.
                    if (cluster is not null && sent.Paths.ContainsKey(ReloadLabel) && ClusterSecrets(cluster).Contains(step.Key.Name))
                    {
                        reactions.Add(new(PostgreSql, step.Key));
                    }

                    // pooler_controller.go getPoolersUsingSecret: a labelled Secret that is the Pooler's serverTLSSecret
                    // reconciles it, and updatePoolerStatus records the new resourceVersion in status.secrets: an event
                    // of the Pooler, on which its pods' manager re-reads every Secret (manager.go).
                    if (pooler is not null && sent.Paths.ContainsKey(ReloadLabel) && Equals(pooler.At("spec.pgbouncer.serverTLSSecret.name"), step.Key.Name))
                    {
                        reactions.Add(new(PgBouncer, step.Key));
                    }

                    break;
                case "ConfigMap" when cluster is not null && sent.Paths.ContainsKey(ReloadLabel):
                    // A labelled ConfigMap the Cluster names in spec.monitoring (UsesConfigMap) is re-read by the exporter.
                    reactions.Add(new(Exporter, step.Key));
                    break;
                case "Pooler":
                    // manager.go: any event of the Pooler, metadata included, re-reads its Secrets and RELOADs on a change;
                    // a spec change also changes the Deployment's template hash, which rolls the pods.
                    reactions.Add(new(PgBouncer, step.Key));
                    if (step.Step.Action == PlannedAction.Create || step.Step.Changed.Any(p => ObjectImage.Under(p, "spec")))
                    {
                        reactions.Add(new(PoolerRollout, step.Key));
                    }

                    break;
                case "Cluster" when step.Step.Action is PlannedAction.Create or PlannedAction.ReplaceCreateFirst or PlannedAction.ReplaceDeleteFirst:
                    reactions.Add(new(Bootstrap, step.Key));
                    break;
                case "Cluster" when step.Before is not null && SourceEntry(step.Before) is var before && SourceEntry(sent) is var now && (before ?? now) is not null && before != now:
                    // pkg/management/postgres/instance_replica.go: primary_conninfo and restore_command come from the source's
                    // entry alone; PostgreSQL restarts its WAL receiver when primary_conninfo changes on reload (13+).
                    reactions.Add(new(WalReceiver, step.Key));
                    reactions.Add(new(PostgreSql, step.Key));
                    break;
                case "Cluster":
                    reactions.Add(new(PostgreSql, step.Key));
                    break;
                case "Service" when (step.Sent ?? step.Before)?.At("spec.type") as string == "ExternalName":
                    reactions.Add(new(ClusterDns, step.Key));
                    break;
                case "Service" or "EndpointSlice":
                    reactions.Add(new(KubeProxy, step.Key));
                    break;
            }
        }

        return [.. reactions.Distinct()];
    }

    // The externalClusters entry a replica cluster replicates from (JSON), or null for a primary.
    private static string? SourceEntry(ObjectImage cluster) =>
        cluster.At("spec.replica.source") is string source && !Equals(cluster.At("spec.replica.self"), cluster.At("spec.replica.primary"))
            ? System.Text.Json.JsonSerializer.Serialize((cluster.At("spec.externalClusters") as System.Collections.IEnumerable)?.OfType<IReadOnlyDictionary<string, object?>>()
                .FirstOrDefault(e => Equals(e.GetValueOrDefault("name"), source)))
            : null;

    /// <summary>The Secrets <paramref name="cluster"/> reads certificates from (UsesSecret's certificate part).</summary>
    public static IReadOnlySet<string> ClusterSecrets(ObjectImage cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return ClusterSecrets(cluster.Document);
    }

    /// <summary>The Secrets the Cluster <paramref name="document"/> reads certificates from (UsesSecret's certificate part).</summary>
    public static IReadOnlySet<string> ClusterSecrets(IReadOnlyDictionary<string, object?> document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var spec = (IReadOnlyDictionary<string, object?>)document["spec"]!;
        if (spec.GetValueOrDefault("certificates") is IReadOnlyDictionary<string, object?> certificates)
        {
            names.UnionWith(certificates.Values.OfType<string>());
        }

        foreach (var entry in (spec.GetValueOrDefault("externalClusters") as System.Collections.IEnumerable)?.OfType<IReadOnlyDictionary<string, object?>>() ?? [])
        {
            names.UnionWith(ExternalClusterSecretFields.Select(k => entry.GetValueOrDefault(k)).OfType<IReadOnlyDictionary<string, object?>>().Select(r => (string)r["name"]!));
        }

        return names;
    }

    /// <summary>The Secrets <paramref name="pooler"/> names for certificates.</summary>
    public static IReadOnlySet<string> PoolerSecrets(ObjectImage pooler)
    {
        ArgumentNullException.ThrowIfNull(pooler);
        return Manifests.PoolerTls.SecretFields.Select(f => pooler.At($"spec.pgbouncer.{f}.name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}

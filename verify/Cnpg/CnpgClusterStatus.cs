using System.Text.Json;
using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// What CNPG says of a Cluster: the fields of <c>status</c> verify reports, named as in the v1.30.0 schema
/// (<c>config/crd/bases/postgresql.cnpg.io_clusters.yaml</c>). Every field the document leaves out is <c>null</c>.
/// The schema has no field for the last archived WAL: CNPG's own <c>kubectl cnpg status</c> reads it from the
/// instance's <c>pg_stat_archiver</c> (<c>pkg/management/postgres/probes.go</c> fillArchiverStatus), and so does
/// verify (<see cref="SqlView.LastArchivedWal"/>); here only the <c>ContinuousArchiving</c> condition speaks of archiving.
/// </summary>
public sealed record CnpgClusterStatus
{
    /// <summary><c>metadata.name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>metadata.namespace</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary><c>status.phase</c>, e.g. <c>Cluster in healthy state</c>.</summary>
    public string? Phase { get; init; }

    /// <summary><c>status.phaseReason</c>.</summary>
    public string? PhaseReason { get; init; }

    /// <summary><c>status.conditions</c>; empty when absent.</summary>
    public IReadOnlyList<CnpgCondition> Conditions { get; init; } = [];

    /// <summary><c>status.currentPrimary</c>: the instance (pod) CNPG considers the primary, or the designated primary of a replica cluster.</summary>
    public string? CurrentPrimary { get; init; }

    /// <summary><c>status.targetPrimary</c>: differs from <see cref="CurrentPrimary"/> during a switchover or failover.</summary>
    public string? TargetPrimary { get; init; }

    /// <summary><c>status.readyInstances</c>.</summary>
    public int? ReadyInstances { get; init; }

    /// <summary><c>status.instances</c>.</summary>
    public int? Instances { get; init; }

    /// <summary><c>status.demotionToken</c>: set on a demoted primary. Never printed: it promotes a replica.</summary>
    public string? DemotionToken { get; init; }

    /// <summary><c>status.firstRecoverabilityPoint</c> (deprecated in v1.30, unset with backup plugins).</summary>
    public string? FirstRecoverabilityPoint { get; init; }

    /// <summary><c>status.lastSuccessfulBackup</c> (deprecated in v1.30, unset with backup plugins).</summary>
    public string? LastSuccessfulBackup { get; init; }

    /// <summary><c>status.timelineID</c>.</summary>
    public int? TimelineId { get; init; }

    /// <summary><c>status.instancesReportedState</c> by instance name; empty when absent.</summary>
    public IReadOnlyDictionary<string, CnpgInstanceState> InstancesReportedState { get; init; } = new Dictionary<string, CnpgInstanceState>();

    /// <summary>
    /// The instances the <c>cnpg.io/fencedInstances</c> annotation fences (<c>*</c>: all of them); empty without it, or
    /// where its value is not a JSON list of names, which CNPG then ignores (api/v1/cluster_funcs.go IsInstanceFenced,
    /// pkg/utils/fencing.go GetFencedInstances).
    /// </summary>
    public IReadOnlyList<string> FencedInstances { get; init; } = [];

    /// <summary>
    /// Whether CNPG fences the instance it calls the current primary: its instance manager then stops PostgreSQL
    /// (internal/management/controller/instance_controller.go reconcileFencing), so nothing answers the cluster's endpoints.
    /// </summary>
    public bool FencesPrimary => FencedInstances.Contains(Fencing.AllInstances) || (CurrentPrimary is { } primary && FencedInstances.Contains(primary));

    /// <summary>The <c>Ready</c> condition, if reported.</summary>
    public CnpgCondition? Ready => Condition("Ready");

    /// <summary>The <c>ContinuousArchiving</c> condition, if reported.</summary>
    public CnpgCondition? ContinuousArchiving => Condition("ContinuousArchiving");

    /// <summary>
    /// Whether CNPG claims the cluster is ready: its <c>Ready</c> condition is <c>True</c>, or, where the document has no
    /// such condition (CNPG before conditions existed), its phase is the healthy one, from which CNPG derives the condition.
    /// </summary>
    public bool SaysReady => Ready is { } ready ? ready.IsTrue : Phase == CnpgApi.HealthyPhase;

    /// <summary>The condition of <paramref name="type"/>, if reported.</summary>
    public CnpgCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);

    /// <summary>Reads a Cluster as <c>kubectl get cluster -o json</c> prints it.</summary>
    /// <exception cref="CnpgDocumentException">The document is not a CNPG Cluster.</exception>
    public static CnpgClusterStatus Parse(JsonElement cluster)
    {
        CnpgJson.RequireKind(cluster, "Cluster");
        var status = CnpgJson.At(cluster, "status") ?? default;
        return new CnpgClusterStatus
        {
            Name = CnpgJson.String(cluster, "metadata", "name"),
            Namespace = CnpgJson.String(cluster, "metadata", "namespace"),
            Phase = CnpgJson.String(status, "phase"),
            PhaseReason = CnpgJson.String(status, "phaseReason"),
            Conditions = ReadConditions(status),
            CurrentPrimary = CnpgJson.String(status, "currentPrimary"),
            TargetPrimary = CnpgJson.String(status, "targetPrimary"),
            ReadyInstances = CnpgJson.Int(status, "readyInstances"),
            Instances = CnpgJson.Int(status, "instances"),
            DemotionToken = CnpgJson.String(status, "demotionToken"),
            FirstRecoverabilityPoint = CnpgJson.String(status, "firstRecoverabilityPoint"),
            LastSuccessfulBackup = CnpgJson.String(status, "lastSuccessfulBackup"),
            TimelineId = CnpgJson.Int(status, "timelineID"),
            InstancesReportedState = ReportedState(status),
            FencedInstances = Fenced(CnpgJson.String(cluster, "metadata", "annotations", Fencing.Annotation)),
        };
    }

    private static List<string> Fenced(string? annotation)
    {
        if (annotation is null)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<string?>>(annotation)?.OfType<string>().ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static List<CnpgCondition> ReadConditions(JsonElement status) =>
        CnpgJson.At(status, "conditions") is { ValueKind: JsonValueKind.Array } conditions
            ? [.. conditions.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.Object)
                .Select(c => new CnpgCondition(
                    CnpgJson.String(c, "type"), CnpgJson.String(c, "status"), CnpgJson.String(c, "reason"), CnpgJson.String(c, "message"), CnpgJson.String(c, "lastTransitionTime")))]
            : [];

    private static Dictionary<string, CnpgInstanceState> ReportedState(JsonElement status) =>
        CnpgJson.At(status, "instancesReportedState") is { ValueKind: JsonValueKind.Object } states
            ? states.EnumerateObject()
                .Where(s => s.Value.ValueKind == JsonValueKind.Object)
                .ToDictionary(s => s.Name, s => new CnpgInstanceState(CnpgJson.Bool(s.Value, "isPrimary"), CnpgJson.String(s.Value, "ip"), CnpgJson.Int(s.Value, "timeLineID")), StringComparer.Ordinal)
            : new Dictionary<string, CnpgInstanceState>(StringComparer.Ordinal);
}

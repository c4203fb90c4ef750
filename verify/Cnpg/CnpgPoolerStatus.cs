using System.Text.Json;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// What CNPG says of a Pooler, named as in the v1.30.0 schema (<c>config/crd/bases/postgresql.cnpg.io_poolers.yaml</c>):
/// <c>status.phase</c> (<c>active</c>, <c>paused</c>, <c>inactive</c>, <c>failed</c>; new in v1.30, absent before),
/// <c>phaseReason</c>, <c>instances</c> and <c>error</c>. Every field the document leaves out is <c>null</c>.
/// </summary>
public sealed record CnpgPoolerStatus
{
    /// <summary>The phase of a Pooler whose Deployment is reconciled (<c>api/v1/pooler_types.go</c> PoolerPhaseActive).</summary>
    public const string ActivePhase = "active";

    /// <summary><c>metadata.name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>metadata.namespace</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary><c>spec.cluster.name</c>: the Cluster it pools.</summary>
    public string? Cluster { get; init; }

    /// <summary><c>spec.type</c>: <c>rw</c>, <c>ro</c> or <c>r</c>.</summary>
    public string? Type { get; init; }

    /// <summary><c>status.phase</c>.</summary>
    public string? Phase { get; init; }

    /// <summary><c>status.phaseReason</c>.</summary>
    public string? PhaseReason { get; init; }

    /// <summary><c>status.instances</c>: pods CNPG is trying to schedule, not pods that are ready.</summary>
    public int? Instances { get; init; }

    /// <summary><c>status.error</c>: the latest admission validation error.</summary>
    public string? Error { get; init; }

    /// <summary>Reads a Pooler as <c>kubectl get pooler -o json</c> prints it.</summary>
    /// <exception cref="CnpgDocumentException">The document is not a CNPG Pooler.</exception>
    public static CnpgPoolerStatus Parse(JsonElement pooler)
    {
        CnpgJson.RequireKind(pooler, "Pooler");
        var status = CnpgJson.At(pooler, "status") ?? default;
        return new CnpgPoolerStatus
        {
            Name = CnpgJson.String(pooler, "metadata", "name"),
            Namespace = CnpgJson.String(pooler, "metadata", "namespace"),
            Cluster = CnpgJson.String(pooler, "spec", "cluster", "name"),
            Type = CnpgJson.String(pooler, "spec", "type"),
            Phase = CnpgJson.String(status, "phase"),
            PhaseReason = CnpgJson.String(status, "phaseReason"),
            Instances = CnpgJson.Int(status, "instances"),
            Error = CnpgJson.String(status, "error"),
        };
    }
}

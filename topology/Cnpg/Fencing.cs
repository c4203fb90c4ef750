namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// CNPG's fencing of a Cluster's instances (docs/src/fencing.md): dr sets it on a former primary, verify reads it with
/// <c>--kube</c>.
/// </summary>
public static class Fencing
{
    /// <summary>The Cluster annotation that lists the fenced instances as JSON (pkg/utils/labels_annotations.go FencedInstanceAnnotation).</summary>
    public const string Annotation = "cnpg.io/fencedInstances";

    /// <summary>The name in that list that fences every instance (pkg/utils/fencing.go FenceAllInstances).</summary>
    public const string AllInstances = "*";

    /// <summary>The annotation's value that fences every instance.</summary>
    public const string EveryInstance = $"[\"{AllInstances}\"]";
}

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// Which Pulumi resource an object is: the project names each resource by its region, kind and object name
/// (infra's <c>$"{region}-…-{name}-{kind}"</c>), and never by its namespace, so a namespace edit is a change to the same
/// resource while a region rename is another resource.
/// </summary>
/// <param name="Region">The region whose cluster holds the object.</param>
/// <param name="Kind">The object's kind, e.g. <c>Cluster</c>.</param>
/// <param name="Name">Its <c>metadata.name</c>.</param>
public sealed record ObjectKey(string Region, string Kind, string Name)
{
    /// <summary>For messages: <c>eu Cluster/pg-eu</c>.</summary>
    public override string ToString() => $"{Region} {Kind}/{Name}";
}

using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Sandbox;

/// <summary>What to start and where.</summary>
public sealed record SandboxOptions
{
    /// <summary>Directory used when none is given.</summary>
    public static readonly string DefaultDirectory = Path.Combine(Path.GetTempPath(), "crosscluster-sandbox");

    /// <summary>The sandbox's own directory; created by up, removed by down.</summary>
    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>Region names, primary first.</summary>
    public IReadOnlyList<string> Regions { get; init; } = SandboxTopology.DefaultRegions;

    /// <summary>
    /// Changes each rendered manifest before the sandbox realises it, as an edited manifest would change a real
    /// deployment: how tests show that the sandbox's behaviour follows from the manifests.
    /// </summary>
    public Func<Manifest, Manifest>? Amend { get; init; }
}

using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Sandbox;

/// <summary>What to start and where.</summary>
public sealed record SandboxOptions
{
    /// <summary>
    /// Directory used when none is given: one per user (<c>$TMPDIR/crosscluster-sandbox-UID</c>), so that one user's
    /// commands never find another's sandbox; one prepared by someone else is refused, being theirs.
    /// </summary>
    public static readonly string DefaultDirectory = Path.Combine(Path.GetTempPath(), $"crosscluster-sandbox-{LibC.EffectiveUserId}");

    /// <summary>The sandbox's own directory; created by up, removed by down.</summary>
    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>Region names, primary first.</summary>
    public IReadOnlyList<string> Regions { get; init; } = SandboxTopology.DefaultRegions;

    /// <summary>Replica regions that hold back replay, with their delay as <c>regions[].replication.minApplyDelay</c> takes it (e.g. <c>5s</c>).</summary>
    public IReadOnlyDictionary<string, string> MinApplyDelays { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Round-trip time of every link between two locations (regions, and the client), unless <see cref="PairRoundTrips"/> says otherwise.</summary>
    public TimeSpan RoundTrip { get; init; }

    /// <summary>Spread of every link's one-way delay.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Round trips of particular links, by their two ends.</summary>
    public IReadOnlyList<LinkRoundTrip> PairRoundTrips { get; init; } = [];

    /// <summary>The topology's <c>replication</c>: streaming or archive only, and the archive timeout.</summary>
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>The topology's <c>postgres.parameters</c>, over the WAN replication timeouts every Cluster carries.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Exporters and a Prometheus per region evaluating the rendered rules (<c>--monitoring</c>), with this timing;
    /// <c>null</c> starts none.
    /// </summary>
    public Monitoring.MonitoringTiming? Monitoring { get; init; }

    /// <summary>
    /// The topology's <c>monitoring</c> thresholds the rendered rules take (<c>replicationLagSeconds</c>,
    /// <c>archiveReplicaLagSeconds</c>); whether monitoring is on is <see cref="Monitoring"/>'s to say.
    /// </summary>
    public MonitoringSettings Alerting { get; init; } = new();

    /// <summary>
    /// Changes each rendered manifest before the sandbox realises it, as an edited manifest would change a real
    /// deployment: how tests show that the sandbox's behaviour follows from the manifests.
    /// </summary>
    public Func<Manifest, Manifest>? Amend { get; init; }
}

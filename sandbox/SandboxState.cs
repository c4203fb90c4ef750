using System.Text.Json;
using System.Text.Json.Serialization;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a running sandbox consists of, written before the first process starts so that <c>sandbox down</c>
/// can always find and stop everything, even after a start that failed half-way.
/// </summary>
public sealed record SandboxState
{
    /// <summary>File name inside the sandbox directory.</summary>
    public const string FileName = "sandbox.json";

    /// <summary>Region that runs the primary.</summary>
    public required string PrimaryRegion { get; init; }

    /// <summary>Every region, primary first.</summary>
    public required IReadOnlyList<SandboxRegion> Regions { get; init; }

    /// <summary>A switchover or failover under way, recorded before each of its steps so that running it again resumes it.</summary>
    public PrimaryChange? Change { get; init; }

    /// <summary>
    /// The region whose pooler <c>pg-writer</c> reaches, as the program's manifests point it: the target of a failover,
    /// or of a switchover once it has the demotion token (phase 2's update re-points it while CNPG promotes); otherwise
    /// the primary, a demoted one included (<c>NetworkManifests.StableEndpoints</c>).
    /// </summary>
    [JsonIgnore]
    public string WriterRegion => Change is { } change && (change.Failover || change.PromotionToken is not null) ? change.To : PrimaryRegion;

    /// <summary>Former primaries fenced by a failover: each is rewound onto the new primary's timeline before it starts again.</summary>
    public IReadOnlyList<string> Fenced { get; init; } = [];

    /// <summary>The root generation and a root rotation under way, as the stack's <c>pki</c> config would hold them.</summary>
    public SandboxPki Pki { get; init; } = new();

    /// <summary>The links between regions and to the client, and the proxy ports that carry them.</summary>
    public SandboxLinks Links { get; init; } = new();

    /// <summary>How many times the state was written: the link proxy acknowledges each revision once it has applied it.</summary>
    public long Revision { get; init; }

    /// <summary>
    /// The topology's <c>replication</c> settings (<c>--mode</c>, <c>--archive-timeout</c>), which every command that
    /// renders the topology again renders with.
    /// </summary>
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>The topology's <c>postgres.parameters</c>, which every command that renders the topology again renders with.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The exporters' and Prometheus' ports and timing, when started with <c>--monitoring</c>.</summary>
    public Monitoring.SandboxMonitoring? Monitoring { get; init; }

    /// <summary>Each server the sandbox started and that has not been stopped since, by <c>region/server</c>.</summary>
    public IReadOnlyDictionary<string, ProcessIdentity> Processes { get; init; } = new Dictionary<string, ProcessIdentity>();

    /// <summary>Reads the state file at <paramref name="path"/>.</summary>
    /// <exception cref="SandboxException">It is not a state file.</exception>
    internal static SandboxState Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SandboxState>(File.ReadAllText(path), TopologyOutputsJson.Options)
                ?? throw new SandboxException($"{path} is empty. Remove {Path.GetDirectoryName(path)} by hand.", SandboxException.UsageExitCode);
        }
        catch (JsonException e)
        {
            throw new SandboxException($"{path} is not a sandbox state file ({e.Message}). Remove {Path.GetDirectoryName(path)} by hand.", SandboxException.UsageExitCode, e);
        }
    }

    /// <summary>Replaces the state file in <paramref name="directory"/> in one step (0600), so that a reader never sees half of it.</summary>
    internal void Write(string directory)
    {
        SecretFile.Write(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, TopologyOutputsJson.Options));
    }
}

/// <summary>The sandbox's <c>pki.rootGeneration</c> and <c>pki.rootRotation</c>.</summary>
/// <param name="RootGeneration">Generation of the root that signs (1 until a root rotation completes).</param>
/// <param name="RootRotation">The phase of a root rotation under way, or <c>null</c>.</param>
public sealed record SandboxPki(int RootGeneration = 1, RootRotationPhase? RootRotation = null);

/// <summary>A change of primary under way.</summary>
/// <param name="From">The primary before it.</param>
/// <param name="To">The region becoming primary.</param>
/// <param name="PromotionToken">The old primary's demotion token, once it was shut down (a switchover's phase 2).</param>
public sealed record PrimaryChange(string From, string To, string? PromotionToken = null)
{
    /// <summary>Whether it is a failover (no token; the old primary crashed and is fenced) rather than a switchover.</summary>
    public bool Failover { get; init; }
}

/// <summary>One region of a sandbox.</summary>
/// <param name="Name">Region name.</param>
/// <param name="Role">Primary or replica.</param>
/// <param name="InstancePort">PostgreSQL's TCP port on 127.0.0.1.</param>
/// <param name="PoolerPort">PgBouncer's TCP port on 127.0.0.1.</param>
/// <param name="Directory">The region's directory.</param>
/// <param name="MinApplyDelay">A delayed replica's <c>minApplyDelay</c>, or <c>null</c>.</param>
public sealed record SandboxRegion(string Name, RegionRole Role, int InstancePort, int PoolerPort, string Directory, string? MinApplyDelay = null)
{
    /// <summary>Where the region's files are.</summary>
    [JsonIgnore]
    public RegionLayout Layout => new(Directory);

    /// <summary>The port <paramref name="server"/> of this region listens on (a link's proxy port is another).</summary>
    public int Port(ServerKind server) => server == ServerKind.PgBouncer ? PoolerPort : InstancePort;
}

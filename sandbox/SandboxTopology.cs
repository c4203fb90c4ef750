using System.Text.RegularExpressions;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// The topology the sandbox realises: the regions asked for, the first one primary, every endpoint on
/// 127.0.0.1. That address is each region's exposure address, so the PKI plan puts it in the server
/// certificates exactly as it puts a node address there in Kubernetes.
/// </summary>
public static partial class SandboxTopology
{
    /// <summary>Address every sandbox server listens on.</summary>
    public const string Address = "127.0.0.1";

    /// <summary>Regions when none are asked for: the playground's two.</summary>
    public static readonly IReadOnlyList<string> DefaultRegions = ["eu", "us"];

    /// <summary>Checks region names, delays and the archive timeout given on the command line; returns one message per problem.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<string> regions, IReadOnlyDictionary<string, string>? delays = null, ReplicationSettings? replication = null)
    {
        var problems = new List<string>();
        if (regions.Count == 0)
        {
            problems.Add("--regions: name at least one region, e.g. --regions eu,us.");
        }

        foreach (var region in regions.Where(r => !RegionName().IsMatch(r)))
        {
            problems.Add($"--regions: '{region}' is not a region name: use 1-20 lowercase letters, digits or '-', starting with a letter, e.g. eu.");
        }

        foreach (var duplicate in regions.GroupBy(r => r, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"--regions: '{duplicate.Key}' is listed {duplicate.Count()} times; name each region once.");
        }

        foreach (var (region, delay) in delays ?? new Dictionary<string, string>())
        {
            if (!regions.Contains(region, StringComparer.Ordinal))
            {
                problems.Add($"--min-apply-delay: '{region}' is not among the regions ({string.Join(", ", regions)}); name a replica region, e.g. {(regions.Count > 1 ? regions[1] : "us")}=5s.");
            }
            else if (regions[0] == region)
            {
                problems.Add($"--min-apply-delay: '{region}' is the primary, which replays nothing; name a replica region.");
            }
            else if (ApplyDelay.Problem(delay) is not null)
            {
                problems.Add($"--min-apply-delay: '{delay}' for {region} is not a delay of whole seconds CNPG applies; give e.g. {region}=5s or {region}=1m.");
            }
        }

        if (replication?.ArchiveTimeout is { } timeout && ArchiveTimeout.Problem(timeout) is not null)
        {
            problems.Add($"--archive-timeout: '{timeout}' is not a timeout of whole seconds PostgreSQL applies; give at least a second, e.g. --archive-timeout 2s or --archive-timeout 1m.");
        }

        return problems;
    }

    /// <summary>
    /// The topology for <paramref name="regions"/> served on the given ports, the region whose role is primary as
    /// <c>primaryRegion</c>, the root generation of <paramref name="pki"/>, <paramref name="switchover"/> when one is under
    /// way, the sandbox's <paramref name="replication"/> (<see cref="SandboxState.Replication"/>; streaming when not given)
    /// and its PostgreSQL <paramref name="parameters"/> (<see cref="SandboxState.Parameters"/>).
    /// </summary>
    public static TopologyConfig For(IReadOnlyList<SandboxRegion> regions, SandboxPki? pki = null, SwitchoverConfig? switchover = null, ReplicationSettings? replication = null, IReadOnlyDictionary<string, string>? parameters = null) => new()
    {
        Postgres = new PostgresSettings { Parameters = parameters ?? new Dictionary<string, string>(StringComparer.Ordinal) },
        PrimaryRegion = regions.First(r => r.Role == RegionRole.Primary).Name,
        Switchover = switchover,
        Replication = replication ?? new ReplicationSettings(),
        Pki = new PkiSettings { RootGeneration = pki?.RootGeneration ?? 1, RootRotation = pki?.RootRotation },
        Regions = regions.Select(r => new RegionConfig
        {
            Name = r.Name,
            KubeContext = $"sandbox-{r.Name}",
            Replication = r.MinApplyDelay is { } delay ? new RegionReplicationConfig { MinApplyDelay = delay } : null,

            // Rendered as the playground's would be; each ObjectStore is realised as a directory named after it (see
            // SandboxOnly.ObjectStore), so the endpoint, bucket and credentials are never used.
            ObjectStore = new ObjectStoreConfig
            {
                Name = $"minio-{r.Name}",
                EndpointUrl = $"http://minio-{r.Name}:9000",
                DestinationPath = "s3://backups/",
                Credentials = new ObjectStoreCredentials { SecretName = $"minio-{r.Name}" },
            },
            // Every region is exposed on 127.0.0.1, as a node address would be: the server certificate carries it as
            // an IP SAN, which PgBouncer (dialling 127.0.0.1, there being no cluster DNS) verifies. Its ports are free
            // ports, outside Kubernetes' NodePort range: the exposure Services are rendered, not realised, here.
            Exposure = new ExposureConfig
            {
                Type = ExposureType.NodePort,
                Address = Address,
                RwPort = r.InstancePort,
                PoolerPort = r.PoolerPort,
            },
        }).ToList(),
    };

    [GeneratedRegex("^[a-z](?:[-a-z0-9]{0,18}[a-z0-9])?$")]
    private static partial Regex RegionName();
}

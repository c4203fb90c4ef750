using System.Globalization;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// The operations users perform on a deployed topology, each as the updates it takes (<see cref="Scenario"/>), for a
/// topology of a given size and replication mode; every state is a topology the validator accepts.
/// </summary>
public static class OperationCatalogue
{
    /// <summary>Region names, in the order regions are added.</summary>
    public static readonly IReadOnlyList<string> RegionNames = ["eu", "us", "ap", "sa", "af"];

    /// <summary>A demotion token as CNPG encodes one, which a switchover's phase 2 carries (the model never verifies it).</summary>
    public static readonly string SampleToken = new PromotionToken
    {
        LatestCheckpointTimelineId = "1",
        RedoWalFile = "000000010000000000000004",
        DatabaseSystemIdentifier = "7400000000000000001",
        LatestCheckpointRedoLocation = "0/4000028",
        TimeOfLatestCheckpoint = "Mon Dec  7 04:27:02 2026",
        OperatorVersion = PromotionToken.CnpgVersion,
    }.Encode();

    /// <summary>A deployed topology of <paramref name="regions"/> NodePort regions in <paramref name="mode"/>, eu primary.</summary>
    public static TopologyConfig Base(int regions, ReplicationMode mode) => new()
    {
        Namespace = new NamespaceConfig { Name = "databases" },
        PrimaryRegion = RegionNames[0],
        Replication = new ReplicationSettings { Mode = mode },
        Regions = [.. RegionNames.Take(regions).Select((name, index) => Region(name, index))],
    };

    /// <summary>Every operation on <see cref="Base"/>.</summary>
    public static IReadOnlyList<Scenario> For(int regions, ReplicationMode mode)
    {
        var topology = Base(regions, mode);
        var deployed = State(topology);
        var first = new Update("first up", deployed);
        var target = RegionNames[1];
        var last = RegionNames[regions - 1];
        Scenario On(string operation, string command, params Update[] updates) => new(operation, [first], updates, command);

        var phase1 = topology with { Switchover = new SwitchoverConfig { To = target } };
        var phase2 = topology with { Switchover = new SwitchoverConfig { To = target, PromotionToken = SampleToken } };
        var switched = topology with { PrimaryRegion = target };
        // dr failover sets the failover key for its pulumi up and removes it afterwards.
        var failedOver = State(switched) with { Failover = target };
        var afterFailover = State(switched);
        var leaves = deployed.Plan.Regions.SelectMany(r => new[] { r.Server, r.Replication, r.App, r.PoolerBackend, r.Verify }).Select(c => c.Id);
        var intermediates = deployed.Plan.Regions.SelectMany(r => new[] { r.ServerCa, r.ClientCa }).Select(c => c.Id);
        var pki = topology.Pki;
        var otherMode = mode == ReplicationMode.Streaming ? ReplicationMode.Archive : ReplicationMode.Streaming;
        var delayed = topology with { Regions = [.. topology.Regions.Select(r => r.Name == last ? r with { Replication = new RegionReplicationConfig { MinApplyDelay = "1h" } } : r)] };

        var scenarios = new List<Scenario>
        {
            new("first up", [], [first], "pulumi up"),
            On("an update that changes nothing", "pulumi up", new Update("unchanged", deployed)),
            On("leaf renewal", "pulumi up (inside the leaves' renewal window)", new Update("leaves re-issued", deployed.Renew(leaves))),
            On("intermediate renewal", "pulumi up (inside the intermediates' renewal window)", new Update("intermediates re-issued", deployed.Renew(intermediates))),
            On("root rotation", "pulumi config set topology.pki.rootRotation trustNext, then signWithNext, then rootGeneration+1 without rootRotation; pulumi up after each",
                new Update("trustNext", State(topology with { Pki = pki with { RootRotation = RootRotationPhase.TrustNext } })),
                new Update("signWithNext", State(topology with { Pki = pki with { RootRotation = RootRotationPhase.SignWithNext } })),
                new Update("completion", State(topology with { Pki = pki with { RootGeneration = pki.RootGeneration + 1 } }))),
            On("switchover", $"dr switchover --to {target}",
                new Update("phase 1: demote", State(phase1)),
                new Update("phase 2: promote with the token", State(phase2)),
                new Update("completion", State(switched))),
            On("failover", $"dr failover --to {target}", new Update("primaryRegion set to the target", failedOver)),
            new("rejoin", [first, new Update("failover", failedOver)],
            [
                new Update("rebuild (pulumi up --replace)", afterFailover with { Rebuild = RegionNames[0] }),
                new Update("rebuild key removed", afterFailover),
            ], $"dr rejoin {RegionNames[0]}"),
            On($"replication.mode {mode} to {otherMode}", "pulumi config set + pulumi up", new Update(otherMode.ToString(), State(topology with { Replication = new ReplicationSettings { Mode = otherMode } }))),
            On("minApplyDelay set, changed and removed", "pulumi config set + pulumi up",
                new Update("set", State(delayed)),
                new Update("changed", State(delayed with { Regions = [.. delayed.Regions.Select(r => r.Name == last ? r with { Replication = new RegionReplicationConfig { MinApplyDelay = "2h" } } : r)] })),
                new Update("removed", deployed)),
            On("monitoring on and off", "pulumi config set + pulumi up",
                new Update("on", State(topology with { Monitoring = new MonitoringSettings { Enabled = true } })),
                new Update("off", deployed)),
            On("exposure address IP to IP", "pulumi config set + pulumi up", new Update("new IPv4 address", State(WithExposure(topology, target, e => e with { Address = "203.0.113.20" })))),
            On("exposure address IPv4 to IPv6", "pulumi config set + pulumi up", new Update("IPv6 address", State(WithExposure(topology, target, e => e with { Address = "2001:db8::20" })))),
            On("exposure address IP to hostname", "pulumi config set + pulumi up",
                new Update("load balancer reporting a hostname", State(WithExposure(topology, target, _ => new ExposureConfig { Type = ExposureType.LoadBalancer, LoadBalancer = new LoadBalancerConfig { Ingress = IngressKind.Hostname, SourceRanges = ["10.0.0.0/8"] } })))),
            On("primaryRegion changed outside a switchover (refused)", $"pulumi config set topology.primaryRegion {target}", new Update("primaryRegion edited", State(switched)) { MustBeRefused = true }),
            On("a stale stack file during a switchover (refused)", "pulumi up from a checkout older than phase 2",
                new Update("phase 1: demote", State(phase1)),
                new Update("phase 2: promote with the token", State(phase2)),
                new Update("stale stack file without the switchover", deployed) { MustBeRefused = true }),
            On("namespace rename (refused)", "pulumi config set topology.namespace …", new Update("namespace renamed", State(topology with { Namespace = new NamespaceConfig { Name = "databases2" } })) { MustBeRefused = true }),
            On("region rename (refused)", "pulumi config set topology.regions[…].name …", new Update("region renamed", State(topology with
            {
                Regions = [.. topology.Regions.Select(r => r.Name == last ? r with { Name = "zz" } : r)],
            })) { MustBeRefused = true }),
        };

        scenarios.AddRange(RegionGone(topology, regions));

        if (regions < RegionNames.Count)
        {
            scenarios.Add(On("adding a region", "pulumi config set + pulumi up", new Update("region added", State(topology with { Regions = [.. topology.Regions, Region(RegionNames[regions], regions)] }))));
        }

        if (regions > 2)
        {
            scenarios.Add(On("removing a region", $"pulumi state unprotect <URN of Cluster pg-{last}>, then pulumi config set + pulumi up",
                new Update("region removed", State(topology with { Regions = [.. topology.Regions.Where(r => r.Name != last)] })) { Unprotected = new HashSet<string>(StringComparer.Ordinal) { last } }));
        }

        return scenarios;
    }

    // A region whose Kubernetes API does not answer, on load-balancer regions, whose addresses (the Services' status) are
    // outputs that wait for resources: the failover away from it, its rebuild once it is back, and a replica region's
    // removal for good, each run as the dr command runs it (--continue-on-error; PULUMI_K8S_DELETE_UNREACHABLE for the removal).
    private static IEnumerable<Scenario> RegionGone(TopologyConfig nodePort, int regions)
    {
        var topology = nodePort with
        {
            Regions = [.. nodePort.Regions.Select(r => r with { Exposure = new ExposureConfig { Type = ExposureType.LoadBalancer, LoadBalancer = new LoadBalancerConfig { Ingress = IngressKind.Ip, SourceRanges = ["10.0.0.0/8"] } } })],
        };
        var (old, target, last) = (RegionNames[0], RegionNames[1], RegionNames[regions - 1]);
        var first = new Update("first up", State(topology));
        var gone = new HashSet<string>(StringComparer.Ordinal) { old };
        var failover = new Update($"primaryRegion set to the target while {old} does not answer", State(topology with { PrimaryRegion = target }) with { Failover = target }) { Unreachable = gone };
        var after = State(topology with { PrimaryRegion = target });
        yield return new Scenario($"failover from a region that is gone (load balancers)", [first], [failover], $"dr failover --to {target}");
        yield return new Scenario($"rejoin once the region is back (load balancers)", [first, failover],
        [
            new Update("rebuild (pulumi up --replace)", after with { Rebuild = old }),
            new Update("rebuild key removed", after),
        ], $"dr rejoin --region {old}");
        if (regions > 2)
        {
            var removed = new HashSet<string>(StringComparer.Ordinal) { last };
            yield return new Scenario($"a replica region gone for good removed (load balancers)", [first],
            [
                new Update($"{last} removed while it does not answer", State(topology with { Regions = [.. topology.Regions.Where(r => r.Name != last)] }))
                {
                    Unreachable = removed,
                    Unprotected = removed,
                    DeleteUnreachable = true,
                },
            ], $"dr remove-region --region {last}");
        }
    }

    private static DeployedState State(TopologyConfig topology)
    {
        var problems = TopologyValidator.Validate(topology);
        return problems.Count == 0
            ? new DeployedState { Topology = topology }
            : throw new TopologyConfigException(problems);
    }

    private static RegionConfig Region(string name, int index) => new()
    {
        Name = name,
        KubeContext = $"k8s-{name}",
        ObjectStore = new ObjectStoreConfig
        {
            Name = $"backups-{name}",
            EndpointUrl = $"https://s3.{name}.example.net",
            DestinationPath = $"s3://pg-{name}/",
            Credentials = new ObjectStoreCredentials { SecretName = "backup-credentials" },
        },
        Exposure = new ExposureConfig { Type = ExposureType.NodePort, Address = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{index + 1}") },
    };

    private static TopologyConfig WithExposure(TopologyConfig topology, string region, Func<ExposureConfig, ExposureConfig> change) =>
        topology with { Regions = [.. topology.Regions.Select(r => r.Name == region ? r with { Exposure = change(r.Exposure!) } : r)] };
}

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using CrossClusterIac.Infra.Components;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Stacks;

/// <summary>
/// The cross-cluster DR topology of one environment: one explicit Kubernetes provider per region, the shared
/// root, each region's PKI, CNPG cluster and endpoints to the primary; exports the <see cref="TopologyOutputs"/> contract.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a Pulumi Stack; Pulumi names stack classes so.")]
public class TopologyStack : Stack
{
    /// <summary>The secret stack config value that holds the old primary's demotion token during a switchover.</summary>
    public const string PromotionTokenKey = TopologyConfigLoader.PromotionTokenKey;

    /// <summary>The stack config value that names a region whose Cluster is being rebuilt (<c>dr rejoin</c>).</summary>
    public const string RebuildKey = TopologyConfigLoader.RebuildKey;

    /// <summary>Reads and validates the topology config, then declares every region.</summary>
    public TopologyStack()
        : this(null)
    {
    }

    /// <summary>As the parameterless constructor, with stack options (resource transformations, for one).</summary>
    protected TopologyStack(StackOptions? options)
        : base(options)
    {
        // Validate before any resource: a bad config stops the run with the loader's one message listing every problem.
        var topology = LoadTopology();
        var rebuild = RebuiltRegion(topology);
        var lastKnown = CheckAgainstLastDeployment(topology);
        var plan = PkiPlan.For(topology);
        // One component per trusted root, named by its plan id: the first generation keeps the name `root-ca` it always
        // had, and the next root a root rotation adds keeps its name when the rotation completes, so neither is replaced.
        var trusted = plan.TrustedRoots.Select(r => new SharedRootCa(r.Id, new SharedRootCaArgs { Spec = r, KeyAlgorithm = plan.KeyAlgorithm })).ToList();
        var root = trusted.Single(r => r.Spec.Id == plan.Root.Id);
        var manifests = TopologyManifests.For(topology, plan, rebuild).ToDictionary(m => m.Region);
        var primary = topology.Regions.Single(r => r.Name == topology.PrimaryRegion);
        var roles = ReplicaRoles.Of(topology);

        var regions = topology.Regions
            .Select((r, index) => DeclareRegionBasics(r, index, manifests[r.Name!], plan, root, trusted, lastKnown.GetValueOrDefault(r.Name!)))
            .ToDictionary(r => r.Config.Name!);

        // The primary first: every replica Cluster waits for it and, when created, for its bootstrap Backup, which hold the data
        // (primaryRegion, the old primary during a switchover). A region's twins point at its peer, so each replica
        // region comes after its peer: after the primary, or, while a switchover promotes its target, after the target,
        // whose peer is the primary. The primary's twins point at its peer, a replica, so they come last.
        var clusters = new Dictionary<string, CnpgReplicaCluster>(StringComparer.Ordinal);
        clusters[primary.Name!] = DeclareCluster(regions[primary.Name!], [], rebuild);
        foreach (var replica in topology.Regions.Where(r => r != primary).OrderBy(r => roles.PeerOf(r.Name!) != primary.Name))
        {
            var twins = DeclareTwins(regions[replica.Name!], clusters);
            var source = clusters[primary.Name!];
            clusters[replica.Name!] = DeclareCluster(regions[replica.Name!], [.. twins, source.Cluster], rebuild, source.BootstrapBackup);
        }

        _ = DeclareTwins(regions[primary.Name!], clusters);

        // The region that takes writes: the switchover's target from phase 2 on; in phase 1, when none does, still the old primary.
        var writable = roles.Writable ?? primary.Name!;
        var outputs = topology.Regions.Select(r => RegionOutput(topology, r, r.Name == writable, clusters[r.Name!], regions[r.Name!])).ToList();
        var clientKeys = topology.Regions.Select(r =>
        {
            var (certificates, pki) = (regions[r.Name!].Certificates, regions[r.Name!].Pki);
            return Output.Tuple(pki.KeyOf(certificates.App), pki.KeyOf(certificates.Verify), pki.KeyOf(certificates.ExpiredProbe))
                .Apply(keys => KeyValuePair.Create(r.Name!, ImmutableDictionary<string, string>.Empty
                    .Add(ClientNames.App, keys.Item1)
                    .Add(ClientNames.Verify, keys.Item2)
                    .Add(ClientNames.ExpiredProbe, keys.Item3)));
        }).ToList();

        SchemaVersion = Output.Create(TopologyOutputs.CurrentSchemaVersion);
        Environment = Output.Create(Deployment.Instance.StackName);
        PrimaryRegion = Output.Create(writable);
        Database = Output.Create(topology.Postgres.Database);
        RootCaCertificate = Output.All(trusted.Select(r => r.CertificatePem)).Apply(pems => string.Concat(pems.Select(p => p.TrimEnd('\n') + "\n")));
        var renewal = RenewalWindows.Of(topology.Pki);
        RenewBeforeDays = Output.Create(ImmutableDictionary<string, int>.Empty
            .Add("root", renewal.Root)
            .Add("intermediate", renewal.Intermediate)
            .Add("leaf", renewal.Leaf));
        Regions = Output.All(outputs);
        var writer = topology.Regions.Single(r => r.Name == writable);
        Writer = clusters[writable].PoolerAddress.Apply(address => Endpoint(address, writer.Exposure!.PoolerPortOrDefault, ClusterNames.WriterService));
        DeployedIdentity = Output.Create(JsonSerializer.Deserialize<JsonElement>(Topology.Config.DeployedIdentity.Of(topology).ToJson()));
        ClientKeys = Output.CreateSecret(Output.All(clientKeys).Apply(pairs => pairs.ToImmutableDictionary()));
    }

    /// <summary>Version of the outputs shape.</summary>
    [Output("schemaVersion")]
    public Output<int> SchemaVersion { get; private set; }

    /// <summary>The stack name.</summary>
    [Output("environment")]
    public Output<string> Environment { get; private set; }

    /// <summary>Region that runs the primary (during a switchover, the target once it is promoted).</summary>
    [Output("primaryRegion")]
    public Output<string> PrimaryRegion { get; private set; }

    /// <summary>Application database.</summary>
    [Output("database")]
    public Output<string> Database { get; private set; }

    /// <summary>The trusted roots (PEM): the shared root CA, and the next one while a root rotation overlaps.</summary>
    [Output("rootCaCertificate")]
    public Output<string> RootCaCertificate { get; private set; }

    /// <summary>Days before expiry each tier is re-issued by an update (root, intermediate, leaf); verify warns inside them.</summary>
    [Output("renewBeforeDays")]
    public Output<ImmutableDictionary<string, int>> RenewBeforeDays { get; private set; }

    /// <summary>Every region in the <see cref="RegionOutputs"/> JSON shape.</summary>
    [Output("regions")]
    public Output<ImmutableArray<ImmutableDictionary<string, object>>> Regions { get; private set; }

    /// <summary>The stable writable endpoint (<c>pg-writer</c> in every region) as a client outside the clusters reaches it.</summary>
    [Output("writer")]
    public Output<ImmutableDictionary<string, object>> Writer { get; private set; }

    /// <summary>The namespace and regions deployed, read back by the next run to refuse renaming them.</summary>
    [Output("deployedIdentity")]
    public Output<JsonElement> DeployedIdentity { get; private set; }

    /// <summary>Client private keys by region, then client name (secret).</summary>
    [Output("clientKeys")]
    public Output<ImmutableDictionary<string, ImmutableDictionary<string, string>>> ClientKeys { get; private set; }

    private static TopologyConfig LoadTopology()
    {
        var config = new Pulumi.Config();
        var json = config.RequireObject<JsonElement>("topology");
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("switchover", out var switchover)
            && switchover.ValueKind == JsonValueKind.Object && switchover.TryGetProperty("promotionToken", out _))
        {
            throw new RunException($"topology.switchover.promotionToken: the topology is plain text in the stack file, and the demotion token is a secret; remove it from the topology and run `pulumi config set --secret {PromotionTokenKey} <token>`.");
        }

        TopologyConfig topology;
        try
        {
            topology = TopologyConfigLoader.FromJson(json.GetRawText());
        }
        catch (TopologyConfigException e)
        {
            // RunException is reported as its message alone: a config mistake is not a program crash.
            throw new RunException(e.Message);
        }

        // The manifests are computed before any resource, so they need the token's text: Get gives it, and
        // GetSecret is only Output.CreateSecret of the same text (pulumi-dotnet v3.112.1 sdk/Pulumi/Config.cs,
        // GetImpl and GetSecret). The Cluster marks the field secret again (CnpgReplicaCluster), so state keeps it encrypted.
        if (config.Get("promotionToken") is not { } token)
        {
            return topology;
        }

        if (topology.Switchover is not { } planned)
        {
            throw new RunException($"{PromotionTokenKey} is set, but topology.switchover.to is not: the token promotes the target of a switchover. Set topology.switchover.to to the region being promoted, or, if no switchover is under way, run `pulumi config rm {PromotionTokenKey}`.");
        }

        topology = topology with { Switchover = planned with { PromotionToken = token } };
        var problems = TopologyValidator.Validate(topology);
        if (problems.Count > 0)
        {
            // The core names the token by its place in the topology; the stack keeps it under its own key.
            throw new RunException(new TopologyConfigException(problems.Select(p => p.Key == "topology.switchover.promotionToken" ? p with { Key = PromotionTokenKey } : p).ToList()).Message);
        }

        return topology;
    }

    private static RegionResources DeclareRegionBasics(RegionConfig region, int index, RegionManifests manifests, PkiPlan plan, SharedRootCa root, IReadOnlyList<SharedRootCa> trusted, string? lastKnownAddress)
    {
        var name = region.Name!;
        // Secrets and ConfigMaps are updated in place, never deleted and re-created by a renewal (ResourcePolicy).
        var provider = new K8s.Provider($"{name}-k8s", new K8s.ProviderArgs
        {
            Context = region.KubeContext!,
            Namespace = manifests.Cluster.Namespace,
            EnableSecretMutable = ResourcePolicy.MutableSecretsAndConfigMaps,
            EnableConfigMapMutable = ResourcePolicy.MutableSecretsAndConfigMaps,
        });
        // A namespace the program declares is its own: created first, deleted on destroy. One that already existed
        // is never declared (config `create: false`), and pulumi-kubernetes refuses to create over an existing
        // object rather than adopt it (provider/pkg/await/await.go Creation, without upsertExistingObjects).
        List<Resource> declaredNamespace = manifests.Namespace is { } ns
            ? [new K8s.Core.V1.Namespace($"{name}-namespace", new K8s.Types.Inputs.Core.V1.NamespaceArgs { Metadata = ManifestInputs.Metadata(ns) }, new CustomResourceOptions { Provider = provider })]
            : [];
        var certificates = plan.ForRegion(name);
        var pki = new RegionalPki($"{name}-pki", new RegionalPkiArgs
        {
            Certificates = certificates,
            KeyAlgorithm = plan.KeyAlgorithm,
            Root = root,
            TrustedRoots = trusted,
            Secrets = manifests.Secrets,
            CertificateQueries = manifests.Monitoring.SingleOrDefault(m => m.Kind == "ConfigMap"),
            DependsOn = declaredNamespace,
            Provider = provider,
        });
        var nodeAddress = region.Exposure!.Type == ExposureType.NodePort
            ? region.Exposure.DiscoversAddress ? NodeAddress.Discover(region, index, lastKnownAddress) : Output.Create(region.Exposure.Address!)
            : null;
        return new RegionResources(region, manifests, provider, declaredNamespace, certificates, pki, nodeAddress);
    }

    /// <summary>
    /// Refuses an edit that would rename a deployed Cluster or move the primary without a switchover or a failover
    /// saying so (<see cref="Topology.Config.DeployedIdentity.RefusalsOf"/>), before any resource is declared: a
    /// declared resource is a step the engine takes even when the program fails later. The last deployment's identity
    /// is this stack's own output, read through a StackReference (the engine reads any stack's outputs from the
    /// backend, its own included: pulumi/pulumi pkg/resource/deploy/builtins.go readStackReference). The constructor
    /// must wait for it; it does so off any synchronization context.
    /// </summary>
    /// <returns>The addresses the last deployment exported, by region (<see cref="LastKnownAddresses"/>).</returns>
    private IReadOnlyDictionary<string, string> CheckAgainstLastDeployment(TopologyConfig topology)
    {
        var deployment = Deployment.Instance;
        var (previous, regions) = Task.Run(async () =>
        {
            var self = new StackReference($"{deployment.StackName}-deployed", new StackReferenceArgs
            {
                Name = $"{deployment.OrganizationName}/{deployment.ProjectName}/{deployment.StackName}",
            }, new CustomResourceOptions { Parent = this });
            return (await self.GetValueAsync(Topology.Config.DeployedIdentity.OutputName).ConfigureAwait(false), await self.GetValueAsync("regions").ConfigureAwait(false));
        }).GetAwaiter().GetResult();
        try
        {
            var failover = new Pulumi.Config().Get("failover");
            var problems = Topology.Config.DeployedIdentity.FromJson(previous is null ? null : JsonSerializer.Serialize(previous))?.RefusalsOf(topology, failover) ?? [];
            if (problems.Count > 0)
            {
                throw new TopologyConfigException(problems);
            }
        }
        catch (TopologyConfigException e)
        {
            throw new RunException(e.Message);
        }

        return LastKnownAddresses.Of(regions is null ? null : JsonSerializer.Serialize(regions));
    }

    // The replica region `dr rejoin` rebuilds, if any; the primary is never rebuilt this way.
    private static string? RebuiltRegion(TopologyConfig topology)
    {
        var region = new Pulumi.Config().Get("rebuild");
        return region is null || RebuildTarget.Problem(topology, region) is not { } problem
            ? region
            : throw new RunException($"{RebuildKey}: {problem}, by `dr rejoin`. Remove it: pulumi config rm {RebuildKey}.");
    }

    private static CnpgReplicaCluster DeclareCluster(RegionResources region, IReadOnlyList<Resource> clusterDependsOn, string? rebuild, Resource? sourceBackup = null) =>
        new($"{region.Config.Name}-cnpg", new CnpgReplicaClusterArgs
        {
            Rebuilt = region.Config.Name == rebuild,
            Manifests = region.Manifests,
            NodeAddress = region.NodeAddress,
            KubeContext = region.Config.KubeContext!,
            Namespace = region.Namespace,
            Mounted = [.. region.Pki.Secrets, .. new[] { region.Pki.CertificateQueries }.OfType<Resource>()],
            ClusterDependsOn = clusterDependsOn,
            SourceBackup = sourceBackup,
            Provider = region.Provider,
            Material = region.Pki.MaterialOf,
        });

    private static List<Resource> DeclareTwins(RegionResources region, Dictionary<string, CnpgReplicaCluster> clusters) =>
        region.Manifests.RemoteEndpoints.Select(endpoint => (Resource)new CrossClusterEndpoint($"{region.Config.Name}-{endpoint.Name}", new CrossClusterEndpointArgs
        {
            Endpoint = endpoint,
            Address = endpoint.Service == ExposedService.ReadWrite ? clusters[endpoint.Region].ReadWriteAddress : clusters[endpoint.Region].PoolerAddress,
            DependsOn = region.Namespace,
            Provider = region.Provider,
        })).ToList();

    private static Output<ImmutableDictionary<string, object>> RegionOutput(TopologyConfig topology, RegionConfig region, bool isPrimary, CnpgReplicaCluster cluster, RegionResources resources)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace.Name);
        var exposure = region.Exposure!;
        var (certificates, pki) = (resources.Certificates, resources.Pki);
        // A delayed replica tells verify its delay, so that a lag of that much is expected rather than a failure.
        var delay = isPrimary ? null : ApplyDelay.WholeSeconds(region.Replication?.MinApplyDelay);
        return Output.Tuple(pki.ServerCaCertificate, pki.ClientCaCertificate, pki.ChainOf(certificates.App), pki.ChainOf(certificates.Verify), pki.ChainOf(certificates.ExpiredProbe), Output.Tuple(cluster.ReadWriteAddress, cluster.PoolerAddress))
            .Apply(values => ImmutableDictionary<string, object>.Empty
                .Add("name", region.Name!)
                .Add("role", isPrimary ? "primary" : "replica")
                .Add("cluster", names.Cluster)
                .Add("instance", Endpoint(values.Item6.Item1, exposure.RwPortOrDefault, names.ReadWriteService))
                .Add("pooler", Endpoint(values.Item6.Item2, exposure.PoolerPortOrDefault, names.Pooler))
                .Add("serverCaCertificate", values.Item1)
                .Add("clientCaCertificate", values.Item2)
                .Add("clients", ImmutableDictionary<string, object>.Empty
                    .Add(ClientNames.App, Client(certificates.App, values.Item3))
                    .Add(ClientNames.Verify, Client(certificates.Verify, values.Item4))
                    .Add(ClientNames.ExpiredProbe, Client(certificates.ExpiredProbe, values.Item5)))
                .AddRange(delay is { } seconds ? [KeyValuePair.Create<string, object>("minApplyDelaySeconds", seconds)] : []));
    }

    private static ImmutableDictionary<string, object> Endpoint(string host, int port, string serverName) =>
        ImmutableDictionary<string, object>.Empty.Add("host", host).Add("port", port).Add("serverName", serverName);

    private static ImmutableDictionary<string, object> Client(CertificateSpec spec, string chain) =>
        ImmutableDictionary<string, object>.Empty.Add("user", spec.CommonName).Add("certificateChain", chain);

    /// <summary>What one region has before its CNPG resources: provider, namespace, PKI and node address.</summary>
    private sealed record RegionResources(
        RegionConfig Config,
        RegionManifests Manifests,
        K8s.Provider Provider,
        IReadOnlyList<Resource> Namespace,
        RegionalCertificates Certificates,
        RegionalPki Pki,
        Output<string>? NodeAddress);
}

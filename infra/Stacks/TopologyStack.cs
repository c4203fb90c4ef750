using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using CrossClusterIac.Infra.Components;
using CrossClusterIac.Topology.Config;
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
public sealed class TopologyStack : Stack
{
    /// <summary>Reads and validates the topology config, then declares every region.</summary>
    public TopologyStack()
    {
        // Validate before any resource: a bad config stops the run with the loader's one message listing every problem.
        var topology = LoadTopology();
        var plan = PkiPlan.For(topology);
        var root = new SharedRootCa("root-ca", new SharedRootCaArgs { Spec = plan.Root, KeyAlgorithm = plan.KeyAlgorithm });

        var providers = topology.Regions.ToDictionary(
            r => r.Name!,
            r => new K8s.Provider($"{r.Name}-k8s", new K8s.ProviderArgs { Context = r.KubeContext!, Namespace = topology.Namespace }));
        var primary = topology.Regions.Single(r => r.Name == topology.PrimaryRegion);
        var discovered = topology.Regions
            .Select((r, index) => (Region: r, Index: index))
            .Where(r => r.Region.Exposure!.DiscoversAddress)
            .ToDictionary(r => r.Region.Name!, r => NodeAddress.Discover(r.Region, r.Index));

        var regions = new List<Output<ImmutableDictionary<string, object>>>();
        var clientKeys = new List<Output<KeyValuePair<string, ImmutableDictionary<string, string>>>>();
        foreach (var manifests in TopologyManifests.For(topology, plan))
        {
            var name = manifests.Region;
            var region = topology.Regions.Single(r => r.Name == name);
            var provider = providers[name];
            var certificates = plan.ForRegion(name);
            var pki = new RegionalPki($"{name}-pki", new RegionalPkiArgs
            {
                Certificates = certificates,
                KeyAlgorithm = plan.KeyAlgorithm,
                Root = root,
                Secrets = manifests.Secrets,
                Provider = provider,
            });

            // Each twin Service is followed by its EndpointSlice in the core's list; all point at the peer.
            Input<string>? peerAddress = null;
            if (TopologyManifests.PeerOf(topology, region) is { } peer && discovered.TryGetValue(peer.Name!, out var found))
            {
                peerAddress = found;
            }

            var endpoints = manifests.RemoteEndpoints.Chunk(2).Select(twin => (Resource)new CrossClusterEndpoint($"{name}-{twin[0].Name}", new CrossClusterEndpointArgs
            {
                Service = twin[0],
                EndpointSlice = twin[1],
                DiscoveredAddress = peerAddress,
                Provider = provider,
            })).ToList();

            _ = new CnpgReplicaCluster($"{name}-cnpg", new CnpgReplicaClusterArgs
            {
                Manifests = manifests,
                DependsOn = [.. pki.Secrets, .. endpoints],
                Provider = provider,
            });

            var address = discovered.GetValueOrDefault(name) ?? Output.Create(region.Exposure!.Address!);
            regions.Add(RegionOutput(topology, region, region == primary, address, certificates, pki));
            clientKeys.Add(Output.Tuple(pki.KeyOf(certificates.App), pki.KeyOf(certificates.Verify), pki.KeyOf(certificates.ExpiredProbe))
                .Apply(keys => KeyValuePair.Create(name, ImmutableDictionary<string, string>.Empty
                    .Add(ClientNames.App, keys.Item1)
                    .Add(ClientNames.Verify, keys.Item2)
                    .Add(ClientNames.ExpiredProbe, keys.Item3))));
        }

        SchemaVersion = Output.Create(TopologyOutputs.CurrentSchemaVersion);
        Environment = Output.Create(Deployment.Instance.StackName);
        PrimaryRegion = Output.Create(primary.Name!);
        Database = Output.Create(topology.Postgres.Database);
        RootCaCertificate = root.CertificatePem;
        Regions = Output.All(regions);
        ClientKeys = Output.CreateSecret(Output.All(clientKeys).Apply(pairs => pairs.ToImmutableDictionary()));
    }

    /// <summary>Version of the outputs shape.</summary>
    [Output("schemaVersion")]
    public Output<int> SchemaVersion { get; private set; }

    /// <summary>The stack name.</summary>
    [Output("environment")]
    public Output<string> Environment { get; private set; }

    /// <summary>Region that runs the primary.</summary>
    [Output("primaryRegion")]
    public Output<string> PrimaryRegion { get; private set; }

    /// <summary>Application database.</summary>
    [Output("database")]
    public Output<string> Database { get; private set; }

    /// <summary>The shared root CA certificate (PEM).</summary>
    [Output("rootCaCertificate")]
    public Output<string> RootCaCertificate { get; private set; }

    /// <summary>Every region in the <see cref="RegionOutputs"/> JSON shape.</summary>
    [Output("regions")]
    public Output<ImmutableArray<ImmutableDictionary<string, object>>> Regions { get; private set; }

    /// <summary>Client private keys by region, then client name (secret).</summary>
    [Output("clientKeys")]
    public Output<ImmutableDictionary<string, ImmutableDictionary<string, string>>> ClientKeys { get; private set; }

    private static TopologyConfig LoadTopology()
    {
        var json = new Pulumi.Config().RequireObject<JsonElement>("topology").GetRawText();
        try
        {
            return TopologyConfigLoader.FromJson(json);
        }
        catch (TopologyConfigException e)
        {
            // RunException is reported as its message alone: a config mistake is not a program crash.
            throw new RunException(e.Message);
        }
    }

    private static Output<ImmutableDictionary<string, object>> RegionOutput(TopologyConfig topology, RegionConfig region, bool isPrimary, Output<string> address, RegionalCertificates certificates, RegionalPki pki)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace);
        var exposure = region.Exposure!;
        return Output.Tuple(pki.ServerCaCertificate, pki.ClientCaCertificate, pki.ChainOf(certificates.App), pki.ChainOf(certificates.Verify), pki.ChainOf(certificates.ExpiredProbe), address)
            .Apply(values => ImmutableDictionary<string, object>.Empty
                .Add("name", region.Name!)
                .Add("role", isPrimary ? "primary" : "replica")
                .Add("cluster", names.Cluster)
                .Add("instance", Endpoint(values.Item6, exposure.RwPort, names.ReadWriteService))
                .Add("pooler", Endpoint(values.Item6, exposure.PoolerPort, names.Pooler))
                .Add("serverCaCertificate", values.Item1)
                .Add("clientCaCertificate", values.Item2)
                .Add("clients", ImmutableDictionary<string, object>.Empty
                    .Add(ClientNames.App, Client(certificates.App, values.Item3))
                    .Add(ClientNames.Verify, Client(certificates.Verify, values.Item4))
                    .Add(ClientNames.ExpiredProbe, Client(certificates.ExpiredProbe, values.Item5))));
    }

    private static ImmutableDictionary<string, object> Endpoint(string host, int port, string serverName) =>
        ImmutableDictionary<string, object>.Empty.Add("host", host).Add("port", port).Add("serverName", serverName);

    private static ImmutableDictionary<string, object> Client(CertificateSpec spec, string chain) =>
        ImmutableDictionary<string, object>.Empty.Add("user", spec.CommonName).Add("certificateChain", chain);
}

using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>The sandbox's outputs, in exactly the shape the Pulumi stack exports.</summary>
public static class SandboxOutputs
{
    /// <summary>
    /// Builds the outputs of a started sandbox, its endpoints as <see cref="SandboxLinks.Client"/> reaches them across
    /// <paramref name="links"/> (directly, without links), as a stack's outputs carry the addresses other networks dial;
    /// the regions a failover left <paramref name="fenced"/> are marked so.
    /// </summary>
    public static TopologyOutputs For(TopologyConfig topology, IssuedPki pki, IReadOnlyList<SandboxRegion> regions, SandboxLinks? links = null, IReadOnlyList<string>? fenced = null) => new()
    {
        SchemaVersion = TopologyOutputs.CurrentSchemaVersion,
        Environment = TopologyOutputs.SandboxEnvironment,
        PrimaryRegion = topology.PrimaryRegion!,
        Database = topology.Postgres.Database,
        RootCaCertificate = pki.TrustBundle,
        RenewBeforeDays = RenewalWindows.Of(topology.Pki),
        Regions = regions.Select(r => Region(r, pki, links) with { Fenced = Fenced(r.Name, fenced ?? []) }).ToList(),
        Writer = new Endpoint(SandboxTopology.Address, links?.WriterPortFrom(SandboxLinks.Client) ?? regions.Single(r => r.Name == topology.PrimaryRegion).PoolerPort, ClusterNames.WriterService),
        DeployedIdentity = DeployedIdentity.Of(topology),
        ClientKeys = regions.ToDictionary(
            r => r.Name,
            r => (IReadOnlyDictionary<string, string>)Clients(pki, r.Name).ToDictionary(c => c.Key, c => c.Value.PrivateKeyPem)),
    };

    /// <summary>The outputs' <c>fenced</c> of a region: <c>true</c> while a failover keeps it fenced, else absent.</summary>
    public static bool? Fenced(string region, IReadOnlyList<string> fenced) => fenced.Contains(region) ? true : null;

    private static RegionOutputs Region(SandboxRegion region, IssuedPki pki, SandboxLinks? links)
    {
        int Port(ServerKind server) => links?.PortFrom(SandboxLinks.Client, region, server) ?? region.Port(server);
        var names = LocalSandbox.Names(region.Name);
        var certificates = pki.Plan.ForRegion(region.Name);
        return new RegionOutputs
        {
            Name = region.Name,
            Role = region.Role,
            Cluster = names.Cluster,
            Instance = new Endpoint(SandboxTopology.Address, Port(ServerKind.Postgres), names.ReadWriteService),
            Pooler = new Endpoint(SandboxTopology.Address, Port(ServerKind.PgBouncer), names.Pooler),
            ServerCaCertificate = pki[certificates.ServerCa].CertificatePem,
            ClientCaCertificate = pki[certificates.ClientCa].CertificatePem,
            Clients = Clients(pki, region.Name).ToDictionary(
                c => c.Key,
                c => new ClientCertificate(c.Value.Spec.CommonName, c.Value.ChainPem)),
            MinApplyDelaySeconds = region.Role == RegionRole.Replica ? ApplyDelay.WholeSeconds(region.MinApplyDelay) : null,
        };
    }

    private static Dictionary<string, IssuedCertificate> Clients(IssuedPki pki, string region)
    {
        var certificates = pki.Plan.ForRegion(region);
        return new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal)
        {
            [ClientNames.App] = pki[certificates.App],
            [ClientNames.Verify] = pki[certificates.Verify],
            [ClientNames.ExpiredProbe] = pki[certificates.ExpiredProbe],
        };
    }
}

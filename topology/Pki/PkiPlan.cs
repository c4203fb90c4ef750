using System.Net;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Pki;

/// <summary>
/// Every certificate of the topology, issuers before the certificates they sign. The plan is data: the
/// Pulumi program realises it with Pulumi.Tls, the sandbox and the tests with <see cref="CertificateIssuer"/>.
/// </summary>
public sealed class PkiPlan
{
    private readonly Dictionary<string, CertificateSpec> _byId;

    private PkiPlan(KeyAlgorithm keyAlgorithm, IReadOnlyList<CertificateSpec> trustedRoots, CertificateSpec root, IReadOnlyList<CertificateSpec> certificates, IReadOnlyList<RegionalCertificates> regions)
    {
        KeyAlgorithm = keyAlgorithm;
        TrustedRoots = trustedRoots;
        Root = root;
        Certificates = certificates;
        Regions = regions;
        _byId = certificates.ToDictionary(c => c.Id, StringComparer.Ordinal);
    }

    /// <summary>Algorithm of every key in the plan.</summary>
    public KeyAlgorithm KeyAlgorithm { get; }

    /// <summary>All certificates, each after its issuer: the trusted roots first.</summary>
    public IReadOnlyList<CertificateSpec> Certificates { get; }

    /// <summary>The shared root that signs the intermediates.</summary>
    public CertificateSpec Root { get; }

    /// <summary>
    /// The roots every trust bundle (<c>ca.crt</c>) holds, oldest generation first: the signing root alone, or during a
    /// root rotation the current and the next.
    /// </summary>
    public IReadOnlyList<CertificateSpec> TrustedRoots { get; }

    /// <summary>Per-region certificates, in the config's region order.</summary>
    public IReadOnlyList<RegionalCertificates> Regions { get; }

    /// <summary>Looks a certificate up by id.</summary>
    public CertificateSpec this[string id] => _byId[id];

    /// <summary>The certificates of one region.</summary>
    public RegionalCertificates ForRegion(string region) =>
        Regions.FirstOrDefault(r => r.Region == region) ?? throw new KeyNotFoundException($"No region '{region}' in the PKI plan.");

    /// <summary>Builds the plan for a validated topology.</summary>
    public static PkiPlan For(TopologyConfig topology)
    {
        var pki = topology.Pki;
        var current = RootOf(pki, pki.RootGeneration);
        IReadOnlyList<CertificateSpec> trusted = pki.RootRotation is null ? [current] : [current, RootOf(pki, pki.RootGeneration + 1)];
        var root = pki.RootRotation == RootRotationPhase.SignWithNext ? trusted[1] : current;
        var certificates = new List<CertificateSpec>(trusted);

        var regions = new List<RegionalCertificates>();
        foreach (var region in topology.Regions)
        {
            var regional = PlanRegion(topology, region, root);
            regions.Add(regional);
            certificates.AddRange(regional.All);
        }

        return new PkiPlan(pki.KeyAlgorithm, trusted, root, certificates, regions);
    }

    /// <summary>The root of one generation. The first keeps the id and name it always had, so an existing stack keeps its root.</summary>
    private static CertificateSpec RootOf(PkiSettings pki, int generation) => new()
    {
        Id = generation == 1 ? "root-ca" : $"root-ca-{generation}",
        // A distinct subject per generation: OpenSSL looks an issuer up by subject name, and two roots of one name in
        // a bundle would leave it to the key identifier to pick the right one.
        CommonName = generation == 1 ? $"{pki.Organization} Root CA" : $"{pki.Organization} Root CA {generation}",
        Organization = pki.Organization,
        Kind = CertificateKind.RootCa,
        Validity = TimeSpan.FromDays(pki.Validity.RootDays),
        RenewBefore = RenewBefore(pki, CertificateTier.Root),
    };

    private static TimeSpan RenewBefore(PkiSettings pki, CertificateTier tier) => TimeSpan.FromDays(pki.RenewBeforeDays.DaysFor(tier, pki.Validity));

    private static RegionalCertificates PlanRegion(TopologyConfig topology, RegionConfig region, CertificateSpec root)
    {
        var name = region.Name!;
        var names = new ClusterNames(name, topology.Namespace.Name);
        var pki = topology.Pki;
        var intermediateValidity = TimeSpan.FromDays(pki.Validity.IntermediateDays);
        var leafValidity = TimeSpan.FromDays(pki.Validity.LeafDays);

        CertificateSpec Intermediate(string id, string purpose, CertificateKind kind) => new()
        {
            Id = $"{name}-{id}",
            CommonName = $"{pki.Organization} {name} {purpose} CA",
            Organization = pki.Organization,
            Kind = kind,
            IssuerId = root.Id,
            Region = name,
            Validity = intermediateValidity,
            RenewBefore = RenewBefore(pki, CertificateTier.Intermediate),
        };

        var serverCa = Intermediate("server-ca", "server", CertificateKind.ServerIntermediateCa);
        var clientCa = Intermediate("client-ca", "client", CertificateKind.ClientIntermediateCa);

        var leafRenewal = RenewBefore(pki, CertificateTier.Leaf);
        CertificateSpec Client(string id, string role, TimeSpan validity) => new()
        {
            Id = $"{name}-{id}",
            CommonName = role,
            Organization = pki.Organization,
            Kind = CertificateKind.Client,
            IssuerId = clientCa.Id,
            Region = name,
            Validity = validity,
            RenewBefore = validity == TimeSpan.Zero ? TimeSpan.Zero : leafRenewal,
        };

        // Every region's server certificate carries the stable names: pg-writer leads to whichever region takes writes.
        var dnsNames = new[] { names.ReadWriteService, names.ReadOnlyService, names.ReadService, names.Pooler, ClusterNames.WriterService, ClusterNames.LocalService }
            .SelectMany(names.ServiceDnsNames)
            .ToList();
        var ipAddresses = new List<string>();
        // A discovered address is unknown when the plan is made; clients hold the certificate to the service
        // names anyway, so only clients dialling the bare address lose it as a SAN.
        var address = region.Exposure?.Address;
        if (!string.IsNullOrEmpty(address) && region.Exposure!.DiscoversAddress is false)
        {
            if (IPAddress.TryParse(address, out _))
            {
                ipAddresses.Add(address);
            }
            else
            {
                dnsNames.Add(address);
            }
        }

        var server = new CertificateSpec
        {
            Id = $"{name}-server",
            CommonName = names.ReadWriteService,
            Organization = pki.Organization,
            Kind = CertificateKind.Server,
            IssuerId = serverCa.Id,
            Region = name,
            DnsNames = dnsNames,
            IpAddresses = ipAddresses,
            Validity = leafValidity,
            RenewBefore = leafRenewal,
        };

        return new RegionalCertificates
        {
            Region = name,
            ServerCa = serverCa,
            ClientCa = clientCa,
            Server = server,
            Replication = Client("replication", RoleNames.StreamingReplica, leafValidity),
            App = Client("app", topology.Postgres.Owner, leafValidity),
            PoolerBackend = Client("pooler-backend", RoleNames.Pooler, leafValidity),
            Verify = Client("verify", RoleNames.Verify, leafValidity),
            ExpiredProbe = Client("expired-probe", RoleNames.Verify, TimeSpan.Zero),
        };
    }
}

/// <summary>The certificates of one region.</summary>
public sealed record RegionalCertificates
{
    /// <summary>Region name.</summary>
    public required string Region { get; init; }

    /// <summary>Intermediate that signs the region's server certificate.</summary>
    public required CertificateSpec ServerCa { get; init; }

    /// <summary>Intermediate that signs the region's client certificates.</summary>
    public required CertificateSpec ClientCa { get; init; }

    /// <summary>Server certificate PostgreSQL and the pooler present, with every service name and the exposed address.</summary>
    public required CertificateSpec Server { get; init; }

    /// <summary><c>streaming_replica</c> client certificate a replica streams with.</summary>
    public required CertificateSpec Replication { get; init; }

    /// <summary>Application role's client certificate.</summary>
    public required CertificateSpec App { get; init; }

    /// <summary>Identity PgBouncer presents to PostgreSQL.</summary>
    public required CertificateSpec PoolerBackend { get; init; }

    /// <summary>The verify console's least-privilege client certificate.</summary>
    public required CertificateSpec Verify { get; init; }

    /// <summary>A verify-role certificate that is already expired when issued, so verify can prove expiry is enforced.</summary>
    public required CertificateSpec ExpiredProbe { get; init; }

    /// <summary>All of the region's certificates, issuers first.</summary>
    public IEnumerable<CertificateSpec> All => [ServerCa, ClientCa, Server, Replication, App, PoolerBackend, Verify, ExpiredProbe];
}

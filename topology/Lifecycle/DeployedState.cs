using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// What one <c>pulumi up</c> leaves deployed: the validated topology, how often each certificate has been issued anew
/// since its first issue, the region being rebuilt (<c>dr rejoin</c>), if any, and the address each region is exposed at.
/// Every object is the core's manifest (<see cref="TopologyManifests"/>), so the model judges what the program sends.
/// </summary>
public sealed record DeployedState
{
    /// <summary>The topology of this state.</summary>
    public required TopologyConfig Topology { get; init; }

    /// <summary>Times each certificate (plan id) was re-issued; absent means issued once.</summary>
    public IReadOnlyDictionary<string, int> Renewals { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The region whose Cluster this update rebuilds (<see cref="TopologyConfigLoader.RebuildKey"/>), or <c>null</c>.</summary>
    public string? Rebuild { get; init; }

    /// <summary>The region a failover makes primary (<see cref="TopologyConfigLoader.FailoverKey"/>), or <c>null</c>.</summary>
    public string? Failover { get; init; }

    /// <summary>Exposure address by region, where it differs from the one <see cref="AddressOf"/> makes up.</summary>
    public IReadOnlyDictionary<string, string> Addresses { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The certificate plan of <see cref="Topology"/>.</summary>
    public PkiPlan Plan => _plan ??= PkiPlan.For(Topology);

    // Computed once per state: a state made with `with` (a renewal, another topology) starts without them.
    private PkiPlan? _plan;
    private IReadOnlyDictionary<ObjectKey, ObjectImage>? _objects;
    private IReadOnlyList<RegionManifests>? _manifests;

    // The copy `with` makes: the state's own properties, not what was computed from them.
    private DeployedState(DeployedState original)
    {
        Topology = original.Topology;
        Renewals = original.Renewals;
        Rebuild = original.Rebuild;
        Failover = original.Failover;
        Addresses = original.Addresses;
    }

    /// <summary>
    /// This state with <paramref name="ids"/> issued anew, and with them every certificate they sign, directly or not:
    /// a new issuer certificate changes a leaf's signer input, which pulumi-tls replaces (<c>ca_cert_pem</c> forces a new
    /// <c>tls_locally_signed_cert</c>), and the sandbox's renewal does the same (<see cref="CertificateRenewal"/>).
    /// </summary>
    public DeployedState Renew(IEnumerable<string> ids)
    {
        var renewed = new HashSet<string>(ids, StringComparer.Ordinal);
        foreach (var spec in Plan.Certificates)
        {
            if (spec.IssuerId is { } issuer && renewed.Contains(issuer))
            {
                renewed.Add(spec.Id);
            }
        }

        var counts = new Dictionary<string, int>(Renewals, StringComparer.Ordinal);
        foreach (var id in renewed)
        {
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return this with { Renewals = counts };
    }

    /// <summary>Every region's objects of this state, as the core renders them.</summary>
    public IReadOnlyList<RegionManifests> Manifests() => _manifests ??= TopologyManifests.For(Topology, Plan, Rebuild);

    /// <summary>Every object of this state, by the resource that holds it.</summary>
    public IReadOnlyDictionary<ObjectKey, ObjectImage> Objects() =>
        _objects ??= Manifests()
            .SelectMany(region => region.All(endpoint => AddressOf(endpoint.Region)).Select(m => (region.Region, Manifest: m)))
            .ToDictionary(o => new ObjectKey(o.Region, o.Manifest.Kind, o.Manifest.Name), o => ObjectImage.Of(o.Manifest, this));

    /// <summary>
    /// The address <paramref name="region"/> is exposed at: <see cref="Addresses"/>, else the configured one, else one
    /// from the documentation ranges (RFC 5737, RFC 2606) of the kind its exposure reports.
    /// </summary>
    public ExposureAddress AddressOf(string region)
    {
        if (Addresses.TryGetValue(region, out var given))
        {
            return ExposureAddress.Parse(given);
        }

        var config = Topology.Regions.Single(r => r.Name == region);
        var exposure = config.Exposure!;
        if (!exposure.DiscoversAddress)
        {
            return ExposureAddress.Parse(exposure.Address!);
        }

        var index = Topology.Regions.ToList().IndexOf(config) + 1;
        return ExposureAddress.Parse(exposure.LoadBalancer?.Ingress == IngressKind.Hostname
            ? $"{region}.lb.example.net"
            : string.Create(CultureInfo.InvariantCulture, $"198.51.100.{index}"));
    }

    /// <summary>
    /// The stand-in for a Secret value: it changes exactly when the PEM would, that is when the certificate (its spec or
    /// its issue) or, for a chain, its issuer's does, and for a trust bundle when the set of trusted roots does.
    /// </summary>
    public string MaterialToken(SecretMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return material.Part switch
        {
            MaterialPart.TrustedRoots => "roots:" + string.Join(",", Plan.TrustedRoots.Select(Issue)),
            MaterialPart.PrivateKey => "key:" + Issue(material.Certificate),
            _ => "chain:" + Issue(material.Certificate) + "<" + (material.Certificate.IssuerId is { } issuer ? Issue(Plan[issuer]) : "self"),
        };
    }

    /// <summary>A certificate's end as the model dates it: later with each issue, so a re-issue changes the certificate query.</summary>
    public DateTimeOffset NotAfter(CertificateSpec certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return DateTimeOffset.UnixEpoch + certificate.Validity + TimeSpan.FromDays(Renewals.GetValueOrDefault(certificate.Id));
    }

    private string Issue(CertificateSpec spec) =>
        $"{spec.Id}#{Renewals.GetValueOrDefault(spec.Id)}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(spec))))[..12]}";
}

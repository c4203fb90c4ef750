using System.Collections.Immutable;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using K8s = Pulumi.Kubernetes;
using Tls = Pulumi.Tls;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="RegionalPki"/>.</summary>
public sealed record RegionalPkiArgs
{
    /// <summary>The region's certificates from the PKI plan, issuers first.</summary>
    public required RegionalCertificates Certificates { get; init; }

    /// <summary>Algorithm of every key.</summary>
    public required KeyAlgorithm KeyAlgorithm { get; init; }

    /// <summary>The shared root that signs the region's intermediates.</summary>
    public required SharedRootCa Root { get; init; }

    /// <summary>Every root the trust bundles hold, oldest generation first: <see cref="Root"/>, and during a root rotation the next.</summary>
    public required IReadOnlyList<SharedRootCa> TrustedRoots { get; init; }

    /// <summary>The region's certificate Secrets from the core's manifests; their values name the material they hold.</summary>
    public required IReadOnlyList<Manifest> Secrets { get; init; }

    /// <summary>The ConfigMap of the certificate query (its dates filled in from the issued certificates), when monitoring is on.</summary>
    public Manifest? CertificateQueries { get; init; }

    /// <summary>What the Secrets need first in the region (its namespace, when the program declares it).</summary>
    public IReadOnlyList<Resource> DependsOn { get; init; } = [];

    /// <summary>The region's Kubernetes provider.</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// A region's server and client intermediates and every leaf they sign, and the Kubernetes Secrets that carry
/// them. Secrets hold leaf keys and certificates only: the root key is never among their material.
/// </summary>
public sealed class RegionalPki : ComponentResource
{
    private readonly Dictionary<string, Output<string>> _certificates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Output<string>> _chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Output<string>> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Output<string>> _ends = new(StringComparer.Ordinal);
    private readonly Output<string> _trustBundle;

    /// <summary>Issues the region's certificates and writes its Secrets.</summary>
    public RegionalPki(string name, RegionalPkiArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:RegionalPki", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        _trustBundle = Output.All(args.TrustedRoots.Select(r => r.CertificatePem)).Apply(pems => string.Concat(pems.Select(p => p.TrimEnd('\n') + "\n")));
        foreach (var spec in args.Certificates.All)
        {
            Issue(name, spec, args);
        }

        var secretOptions = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = args.DependsOn.ToList() };
        Secrets = args.Secrets.Select(secret => new K8s.Core.V1.Secret($"{name}-{secret.Name}", new K8s.Types.Inputs.Core.V1.SecretArgs
        {
            Metadata = ManifestInputs.Metadata(secret),
            Type = (string)secret.Body["type"]!,
            StringData = InputMaps.From(ManifestInputs.Map(secret.Body["data"])
                .Select(entry => KeyValuePair.Create(entry.Key, MaterialOf((SecretMaterial)entry.Value!)))),
        }, secretOptions)).ToList();

        foreach (var root in args.TrustedRoots)
        {
            _ends[root.Spec.Id] = root.ValidityEndTime;
        }

        // A re-issued certificate changes its end date, so the ConfigMap, which CNPG reloads (cnpg.io/reload).
        if (args.CertificateQueries is { } queries)
        {
            CertificateQueries = new K8s.Core.V1.ConfigMap($"{name}-{queries.Name}", new K8s.Types.Inputs.Core.V1.ConfigMapArgs
            {
                Metadata = ManifestInputs.Metadata(queries),
                Data = InputMaps.From(ManifestInputs.Map(queries.Body["data"])
                    .Select(entry => KeyValuePair.Create(entry.Key, Dates((CertificateExpiries)entry.Value!)))),
            }, secretOptions);
        }

        ServerCaCertificate = _certificates[args.Certificates.ServerCa.Id];
        ClientCaCertificate = _certificates[args.Certificates.ClientCa.Id];
        Chains = Output.All(_chains.Select(c => c.Value.Apply(pem => KeyValuePair.Create(c.Key, pem))))
            .Apply(pairs => pairs.ToImmutableDictionary());
        PrivateKeys = Output.CreateSecret(Output.All(_keys.Select(k => k.Value.Apply(pem => KeyValuePair.Create(k.Key, pem))))
            .Apply(pairs => pairs.ToImmutableDictionary()));
        RegisterOutputs();
    }

    /// <summary>The region's server intermediate CA certificate (PEM).</summary>
    [Output("serverCaCertificate")]
    public Output<string> ServerCaCertificate { get; private set; }

    /// <summary>The region's client intermediate CA certificate (PEM).</summary>
    [Output("clientCaCertificate")]
    public Output<string> ClientCaCertificate { get; private set; }

    /// <summary>Leaf + intermediate chain (PEM) by certificate spec id.</summary>
    [Output("chains")]
    public Output<ImmutableDictionary<string, string>> Chains { get; private set; }

    /// <summary>Private keys (PKCS#8 PEM, secret) by certificate spec id.</summary>
    [Output("privateKeys")]
    public Output<ImmutableDictionary<string, string>> PrivateKeys { get; private set; }

    /// <summary>The certificate query's ConfigMap, when monitoring is on; the Cluster depends on it as on the Secrets.</summary>
    public K8s.Core.V1.ConfigMap? CertificateQueries { get; }

    /// <summary>The Secrets written to the region; CNPG resources depend on them.</summary>
    public IReadOnlyList<K8s.Core.V1.Secret> Secrets { get; }

    /// <summary>Leaf + intermediate chain (PEM) of one certificate.</summary>
    public Output<string> ChainOf(CertificateSpec spec) => _chains[spec.Id];

    /// <summary>Private key (PKCS#8 PEM, secret) of one certificate.</summary>
    public Output<string> KeyOf(CertificateSpec spec) => _keys[spec.Id];

    // The query with every certificate's end, as Pulumi.Tls reports it (validityEndTime, RFC 3339).
    private Output<string> Dates(CertificateExpiries expiries) =>
        Output.All(expiries.Certificates.Select(c => _ends[c.Id].Apply(end => KeyValuePair.Create(c.Id, DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)))))
            .Apply(ends => expiries.Render(spec => ends.Single(e => e.Key == spec.Id).Value));

    /// <summary>The PEM a Secret value holds: a chain, a key (secret) or the trust bundle.</summary>
    public Output<string> MaterialOf(SecretMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return material.Part switch
        {
            MaterialPart.TrustedRoots => _trustBundle,
            MaterialPart.Chain => _chains[material.Certificate.Id],
            MaterialPart.PrivateKey => _keys.TryGetValue(material.Certificate.Id, out var key)
                ? key
                : throw new InvalidOperationException($"No private key of '{material.Certificate.Id}' in region PKI: the root key never goes to a cluster."),
            _ => throw new ArgumentOutOfRangeException(nameof(material), material.Part, "Unknown material part."),
        };
    }

    private void Issue(string name, CertificateSpec spec, RegionalPkiArgs args)
    {
        var (issuerCertificate, issuerKey) = Issuer(spec, args);

        var key = TlsMapping.NewKey($"{name}-{spec.Id}-key", args.KeyAlgorithm, this);
        _keys[spec.Id] = Output.CreateSecret(key.PrivateKeyPemPkcs8);
        if (spec.IsExpiredOnIssue)
        {
            // Pulumi.Tls would replace an expired certificate on every update; this one is signed in the program
            // from the same keys, with a validity and serial that never change. A certificate is public: unsecret it.
            var probe = Output.Unsecret(Output.Tuple(key.PrivateKeyPemPkcs8, issuerCertificate, issuerKey)
                .Apply(pems => ExpiredCertificate.Sign(spec, pems.Item1, pems.Item2, pems.Item3)));
            _certificates[spec.Id] = probe;
            _chains[spec.Id] = Chain(probe, issuerCertificate);
            return;
        }

        var request = new Tls.CertRequest($"{name}-{spec.Id}-csr", new Tls.CertRequestArgs
        {
            PrivateKeyPem = key.PrivateKeyPem,
            Subject = new Tls.Inputs.CertRequestSubjectArgs { CommonName = spec.CommonName, Organization = spec.Organization },
            DnsNames = spec.DnsNames.ToList(),
            IpAddresses = spec.IpAddresses.ToList(),
        }, new CustomResourceOptions { Parent = this });
        var certificate = new Tls.LocallySignedCert($"{name}-{spec.Id}-cert", new Tls.LocallySignedCertArgs
        {
            CertRequestPem = request.CertRequestPem,
            CaCertPem = issuerCertificate,
            CaPrivateKeyPem = issuerKey,
            IsCaCertificate = spec.IsCertificateAuthority,
            MaxPathLength = spec.PathLength,
            SetSubjectKeyId = true,
            AllowedUses = TlsMapping.AllowedUses(spec),
            ValidityPeriodHours = TlsMapping.ValidityHours(spec),
            EarlyRenewalHours = TlsMapping.EarlyRenewalHours(spec),
        }, new CustomResourceOptions { Parent = this });

        _certificates[spec.Id] = certificate.CertPem;
        _ends[spec.Id] = certificate.ValidityEndTime;
        _chains[spec.Id] = spec.IsCertificateAuthority ? certificate.CertPem : Chain(certificate.CertPem, issuerCertificate);
    }

    private static Output<string> Chain(Output<string> leaf, Output<string> issuer) =>
        Output.Tuple(leaf, issuer).Apply(pems => pems.Item1.TrimEnd('\n') + "\n" + pems.Item2);

    private (Output<string> Certificate, Output<string> Key) Issuer(CertificateSpec spec, RegionalPkiArgs args) =>
        spec.IssuerId == args.Root.Spec.Id
            ? (args.Root.CertificatePem, args.Root.PrivateKeyPem)
            : (_certificates[spec.IssuerId!], _keys[spec.IssuerId!]);
}

using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Pki;

/// <summary>What a certificate is for; decides CA constraints, key usage and extended key usage.</summary>
public enum CertificateKind
{
    /// <summary>The shared self-signed root; its key never leaves the machine that deploys.</summary>
    RootCa,

    /// <summary>A region's intermediate for server certificates (EKU serverAuth; no CA may sign below it).</summary>
    ServerIntermediateCa,

    /// <summary>A region's intermediate for client certificates (EKU clientAuth; no CA may sign below it).</summary>
    ClientIntermediateCa,

    /// <summary>A TLS server leaf.</summary>
    Server,

    /// <summary>A TLS client leaf whose common name is the database role it logs in as.</summary>
    Client,
}

/// <summary>Extended key usages the plan assigns.</summary>
public enum ExtendedKeyUsage
{
    /// <summary>TLS server authentication (1.3.6.1.5.5.7.3.1).</summary>
    ServerAuth,

    /// <summary>TLS client authentication (1.3.6.1.5.5.7.3.2).</summary>
    ClientAuth,
}

/// <summary>One certificate of the plan: everything needed to issue it, with .NET crypto or Pulumi.Tls alike.</summary>
public sealed record CertificateSpec
{
    /// <summary>Stable identifier within the plan, e.g. <c>eu-server</c>; also the Pulumi child name suffix.</summary>
    public required string Id { get; init; }

    /// <summary>Subject common name.</summary>
    public required string CommonName { get; init; }

    /// <summary>Subject organisation.</summary>
    public required string Organization { get; init; }

    /// <summary>What the certificate is for.</summary>
    public required CertificateKind Kind { get; init; }

    /// <summary>Id of the issuing certificate, or <c>null</c> for the self-signed root.</summary>
    public string? IssuerId { get; init; }

    /// <summary>Region the certificate belongs to, or <c>null</c> for the root.</summary>
    public string? Region { get; init; }

    /// <summary>Subject alternative DNS names.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>Subject alternative IP addresses.</summary>
    public IReadOnlyList<string> IpAddresses { get; init; } = [];

    /// <summary>How long the certificate is valid from issue; zero makes a certificate that is expired once issued.</summary>
    public required TimeSpan Validity { get; init; }

    /// <summary>How long before its expiry an update re-issues it (zero for a probe that is never renewed).</summary>
    public TimeSpan RenewBefore { get; init; }

    /// <summary>The tier it belongs to.</summary>
    public CertificateTier Tier => Kind switch
    {
        CertificateKind.RootCa => CertificateTier.Root,
        CertificateKind.ServerIntermediateCa or CertificateKind.ClientIntermediateCa => CertificateTier.Intermediate,
        _ => CertificateTier.Leaf,
    };

    /// <summary>Whether the certificate is expired once issued: a probe that servers must refuse.</summary>
    public bool IsExpiredOnIssue => Validity == TimeSpan.Zero;

    /// <summary>Whether the certificate may sign other certificates.</summary>
    public bool IsCertificateAuthority => Kind is CertificateKind.RootCa or CertificateKind.ServerIntermediateCa or CertificateKind.ClientIntermediateCa;

    /// <summary>
    /// The <c>max_path_length</c> the program gives a CA: one level below the root, none below an intermediate. pulumi-tls
    /// writes the root's and omits an intermediate's 0 (<see cref="CertificateIssuer.BasicConstraintsOf"/>).
    /// </summary>
    public int? PathLength => Kind switch
    {
        CertificateKind.RootCa => 1,
        CertificateKind.ServerIntermediateCa or CertificateKind.ClientIntermediateCa => 0,
        _ => null,
    };

    /// <summary>
    /// Extended key usages. Intermediates carry them too: OpenSSL applies EKU along the chain, so a client
    /// certificate slipped under a server intermediate is refused.
    /// </summary>
    public IReadOnlyList<ExtendedKeyUsage> ExtendedKeyUsages => Kind switch
    {
        CertificateKind.ServerIntermediateCa or CertificateKind.Server => [ExtendedKeyUsage.ServerAuth],
        CertificateKind.ClientIntermediateCa or CertificateKind.Client => [ExtendedKeyUsage.ClientAuth],
        _ => [],
    };
}

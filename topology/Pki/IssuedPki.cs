using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Topology.Pki;

/// <summary>Every certificate of a plan, issued.</summary>
public sealed class IssuedPki
{
    private readonly IReadOnlyDictionary<string, IssuedCertificate> _byId;

    internal IssuedPki(IReadOnlyDictionary<string, IssuedCertificate> byId, PkiPlan plan)
    {
        _byId = byId;
        Plan = plan;
    }

    /// <summary>The plan that was issued.</summary>
    public PkiPlan Plan { get; }

    /// <summary>The shared root that signs the intermediates.</summary>
    public IssuedCertificate Root => _byId[Plan.Root.Id];

    /// <summary>Every trusted root (PEM, oldest generation first): what <c>ca.crt</c> and the outputs' root field hold.</summary>
    public string TrustBundle => string.Concat(Plan.TrustedRoots.Select(r => _byId[r.Id].CertificatePem));

    /// <summary>The issued certificate of plan id <paramref name="id"/>, if there is one.</summary>
    public IssuedCertificate? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The issued certificate for a spec of the plan.</summary>
    public IssuedCertificate this[CertificateSpec spec] => _byId[spec.Id];

    /// <summary>The PEM text a Secret key refers to.</summary>
    public string Material(Manifests.SecretMaterial material) => material.Part switch
    {
        Manifests.MaterialPart.Chain => this[material.Certificate].ChainPem,
        Manifests.MaterialPart.PrivateKey => this[material.Certificate].PrivateKeyPem,
        Manifests.MaterialPart.TrustedRoots => TrustBundle,
        _ => throw new ArgumentOutOfRangeException(nameof(material), material.Part, "Unknown material part."),
    };

    /// <summary>Every issued certificate, issuers first.</summary>
    public IEnumerable<IssuedCertificate> All => Plan.Certificates.Select(c => _byId[c.Id]);

    /// <summary>Every certificate and key as PEM, by plan id: what a stack's state holds, to renew from later. Secret.</summary>
    public IReadOnlyDictionary<string, StoredCertificate> Export() =>
        All.ToDictionary(c => c.Spec.Id, c => new StoredCertificate(c.CertificatePem, c.PrivateKeyPem, c.ChainPem), StringComparer.Ordinal);

    /// <summary>
    /// The certificates of <paramref name="plan"/> found in <paramref name="stored"/> (an <see cref="Export"/>), to renew
    /// from: a plan certificate missing there is issued by the renewal, a stored one the plan no longer has is dropped.
    /// </summary>
    public static IssuedPki Import(PkiPlan plan, IReadOnlyDictionary<string, StoredCertificate> stored)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stored);
        var found = plan.Certificates
            .Where(spec => stored.ContainsKey(spec.Id))
            .ToDictionary(
                spec => spec.Id,
                spec => new IssuedCertificate(spec, X509Certificate2.CreateFromPem(stored[spec.Id].CertificatePem, stored[spec.Id].PrivateKeyPem), stored[spec.Id].PrivateKeyPem, stored[spec.Id].ChainPem),
                StringComparer.Ordinal);
        return new IssuedPki(found, plan);
    }
}

/// <summary>One issued certificate as PEM text.</summary>
/// <param name="CertificatePem">The certificate.</param>
/// <param name="PrivateKeyPem">Its PKCS#8 private key. Secret.</param>
/// <param name="ChainPem">The certificate and its intermediate.</param>
public sealed record StoredCertificate(string CertificatePem, string PrivateKeyPem, string ChainPem);

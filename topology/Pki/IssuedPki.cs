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

    /// <summary>The shared root.</summary>
    public IssuedCertificate Root => _byId[Plan.Root.Id];

    /// <summary>The issued certificate for a spec of the plan.</summary>
    public IssuedCertificate this[CertificateSpec spec] => _byId[spec.Id];

    /// <summary>The PEM text a Secret key refers to.</summary>
    public string Material(Manifests.SecretMaterial material) => material.Part switch
    {
        Manifests.MaterialPart.Chain => this[material.Certificate].ChainPem,
        Manifests.MaterialPart.PrivateKey => this[material.Certificate].PrivateKeyPem,
        _ => this[material.Certificate].CertificatePem,
    };

    /// <summary>Every issued certificate, issuers first.</summary>
    public IEnumerable<IssuedCertificate> All => Plan.Certificates.Select(c => _byId[c.Id]);
}

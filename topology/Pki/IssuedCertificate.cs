using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Topology.Pki;

/// <summary>A certificate issued from a <see cref="CertificateSpec"/>, with its key and its chain as PEM.</summary>
public sealed class IssuedCertificate
{
    internal IssuedCertificate(CertificateSpec spec, X509Certificate2 certificate, string privateKeyPem, string chainPem)
    {
        Spec = spec;
        Certificate = certificate;
        PrivateKeyPem = privateKeyPem;
        ChainPem = chainPem;
    }

    /// <summary>What was issued.</summary>
    public CertificateSpec Spec { get; }

    /// <summary>The certificate, with its private key attached.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>When its validity starts (notBefore), in UTC: a certificate it signs cannot start earlier.</summary>
    public DateTimeOffset ValidFrom => new(Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The certificate alone, as PEM.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>The PKCS#8 private key as PEM. Secret: never log or print it.</summary>
    public string PrivateKeyPem { get; }

    /// <summary>
    /// The certificate followed by its intermediate (the root excluded), as <c>tls.crt</c> must be: servers and
    /// clients send the chain from this file, and peers trust only the root.
    /// </summary>
    public string ChainPem { get; }
}

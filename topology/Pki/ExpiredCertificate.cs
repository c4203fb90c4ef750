using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrossClusterIac.Topology.Pki;

/// <summary>
/// Signs a certificate that is expired from the start, for the check that servers refuse one, with keys held
/// as PEM (the deployment's own). A deployment signs it again on every run, so it is a function of its inputs: its
/// validity and serial derive from the issuer and the spec, never from the clock, and its signature is RSA PKCS#1
/// v1.5 or deterministic ECDSA, never a random nonce. An unchanged stack previews with no change.
/// </summary>
public static class ExpiredCertificate
{
    /// <summary>The certificate (PEM) for <paramref name="subjectKeyPem"/>'s public key, signed by the issuer.</summary>
    public static string Sign(CertificateSpec spec, string subjectKeyPem, string issuerCertificatePem, string issuerKeyPem)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var issuer = X509Certificate2.CreateFromPem(issuerCertificatePem);
        using var subjectKey = CertificateIssuer.LoadKey(subjectKeyPem);
        using var issuerKey = CertificateIssuer.LoadKey(issuerKeyPem);
        var request = CertificateIssuer.CreateRequest(spec, subjectKey);
        CertificateIssuer.AddExtensions(request, spec, subjectKey, issuer);

        var notBefore = new DateTimeOffset(issuer.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var generator = issuerKey switch
        {
            ECDsa ec => new DeterministicEcdsaSignature(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(issuerKey.GetType().Name),
        };
        using var certificate = request.Create(issuer.SubjectName, generator, notBefore, notBefore + spec.Validity, Serial(issuer, spec));
        return certificate.ExportCertificatePem() + "\n";
    }

    private static byte[] Serial(X509Certificate2 issuer, CertificateSpec spec)
    {
        var serial = SHA256.HashData([.. issuer.SerialNumberBytes.Span, .. Encoding.UTF8.GetBytes(spec.Id)])[..16];
        serial[0] &= 0x7F;
        return serial;
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Pki;

/// <summary>Realises a <see cref="PkiPlan"/> with .NET cryptography (the sandbox, render and tests use it).</summary>
public static class CertificateIssuer
{
    /// <summary>Backdating of notBefore so a peer whose clock runs slightly behind still accepts a fresh certificate.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuthOid = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Issues every certificate of the plan, issuers first.</summary>
    public static IssuedPki Issue(PkiPlan plan, DateTimeOffset? now = null)
    {
        var notBefore = (now ?? DateTimeOffset.UtcNow) - ClockSkewAllowance;
        var issued = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        foreach (var spec in plan.Certificates)
        {
            var issuer = spec.IssuerId is null ? null : issued[spec.IssuerId];
            issued.Add(spec.Id, Issue(spec, plan.KeyAlgorithm, issuer, notBefore));
        }

        return new IssuedPki(issued, plan);
    }

    /// <summary>
    /// Issues one certificate outside any plan: verify uses it for certificates the servers must refuse
    /// (an untrusted CA, an expired leaf). <paramref name="keyPem"/> keeps an existing key, as a renewal does.
    /// </summary>
    public static IssuedCertificate Issue(CertificateSpec spec, KeyAlgorithm algorithm, IssuedCertificate? issuer, DateTimeOffset notBefore, string? keyPem = null)
    {
        using var key = keyPem is null ? CreateKey(algorithm) : LoadKey(keyPem);
        var request = CreateRequest(spec, key);
        AddExtensions(request, spec, key, issuer?.Certificate);

        var notAfter = notBefore + spec.Validity;
        X509Certificate2 certificate;
        if (issuer is null)
        {
            certificate = request.CreateSelfSigned(notBefore, notAfter);
        }
        else
        {
            using var signed = request.Create(issuer.Certificate, notBefore, notAfter, NewSerialNumber());
            certificate = key switch
            {
                ECDsa ec => signed.CopyWithPrivateKey(ec),
                RSA rsa => signed.CopyWithPrivateKey(rsa),
                _ => throw new NotSupportedException(key.GetType().Name),
            };
        }

        keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
        var chainPem = certificate.ExportCertificatePem() + "\n";
        if (issuer is not null && issuer.Spec.IssuerId is not null)
        {
            chainPem += issuer.CertificatePem;
        }

        return new IssuedCertificate(spec, certificate, keyPem, chainPem);
    }

    /// <summary>A private key from PEM (PKCS#8, SEC 1 or PKCS#1), ECDSA or RSA.</summary>
    internal static AsymmetricAlgorithm LoadKey(string pem)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ec.Dispose();
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }

    private static AsymmetricAlgorithm CreateKey(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        KeyAlgorithm.Rsa4096 => RSA.Create(4096),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown key algorithm."),
    };

    /// <summary>The request for a spec's subject and key.</summary>
    internal static CertificateRequest CreateRequest(CertificateSpec spec, AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(spec.Organization);
        subject.AddCommonName(spec.CommonName);
        var name = subject.Build();
        return key switch
        {
            ECDsa ec => new CertificateRequest(name, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(key.GetType().Name),
        };
    }

    /// <summary>Basic constraints, key usage, EKU, key identifiers and SANs of a spec.</summary>
    internal static void AddExtensions(CertificateRequest request, CertificateSpec spec, AsymmetricAlgorithm key, X509Certificate2? issuer)
    {
        request.CertificateExtensions.Add(spec.PathLength is { } pathLength
            ? new X509BasicConstraintsExtension(true, true, pathLength, true)
            : new X509BasicConstraintsExtension(false, false, 0, true));

        var usage = spec.IsCertificateAuthority
            ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature
            : X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.None);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));

        if (spec.ExtendedKeyUsages.Count > 0)
        {
            var oids = new OidCollection();
            foreach (var eku in spec.ExtendedKeyUsages)
            {
                oids.Add(eku == ExtendedKeyUsage.ServerAuth ? ServerAuthOid : ClientAuthOid);
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        var subjectKeyId = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(subjectKeyId);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(
            issuer is null ? subjectKeyId : issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single()));

        if (spec.DnsNames.Count + spec.IpAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in spec.DnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var ip in spec.IpAddresses)
            {
                san.AddIpAddress(IPAddress.Parse(ip));
            }

            request.CertificateExtensions.Add(san.Build());
        }
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}

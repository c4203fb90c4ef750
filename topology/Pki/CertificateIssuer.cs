using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Pki;

/// <summary>
/// Realises a <see cref="PkiPlan"/> with .NET cryptography (the sandbox, render and tests use it), issuing what
/// pulumi-tls issues for the program from the same plan, so that one PKI is tested: its validity starts at the issue
/// time (terraform-provider-tls internal/provider/common_cert.go createCertificate: <c>NotBefore =
/// overridableTimeFunc()</c>, no backdating), and its basic constraints are what Go writes for the template it builds
/// (<see cref="BasicConstraintsOf"/>).
/// </summary>
public static class CertificateIssuer
{
    /// <summary>
    /// Backdating of notBefore for the certificates made outside the plan (verify's probes, the sandbox's administrator),
    /// as CNPG backdates its own (v1.30.0 pkg/certs/certs.go: <c>time.Now().Add(time.Minute * -5)</c>), so that a peer whose
    /// clock runs slightly behind still accepts them. The plan's certificates are not backdated: pulumi-tls cannot.
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuthOid = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Issues every certificate of the plan, issuers first, valid from <paramref name="now"/> as pulumi-tls's are.</summary>
    public static IssuedPki Issue(PkiPlan plan, DateTimeOffset? now = null)
    {
        var notBefore = now ?? DateTimeOffset.UtcNow;
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

    /// <summary>
    /// The basic constraints pulumi-tls gives <paramref name="spec"/>'s certificate: terraform-provider-tls builds its
    /// template with <c>BasicConstraintsValid</c>, sets <c>IsCA</c> from <c>is_ca_certificate</c> and <c>MaxPathLen</c> from
    /// <c>max_path_length</c> but never <c>MaxPathLenZero</c> (common_cert.go createCertificate), and Go's crypto/x509
    /// (marshalBasicConstraints) then omits a path length of 0: the root carries pathlen 1, an intermediate none, a leaf
    /// CA:FALSE; each critical. The root's pathlen 1 still refuses a CA below an intermediate.
    /// </summary>
    public static X509BasicConstraintsExtension BasicConstraintsOf(CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.PathLength is > 0 and var pathLength
            ? new X509BasicConstraintsExtension(true, true, pathLength, true)
            : new X509BasicConstraintsExtension(spec.IsCertificateAuthority, false, 0, true);
    }

    /// <summary>Basic constraints, key usage, EKU, key identifiers and SANs of a spec.</summary>
    internal static void AddExtensions(CertificateRequest request, CertificateSpec spec, AsymmetricAlgorithm key, X509Certificate2? issuer)
    {
        request.CertificateExtensions.Add(BasicConstraintsOf(spec));

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

using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using Tls = Pulumi.Tls;

namespace CrossClusterIac.Infra.Components;

/// <summary>Maps a <see cref="CertificateSpec"/> of the PKI plan onto Pulumi.Tls arguments.</summary>
internal static class TlsMapping
{
    /// <summary>A private key of the plan's algorithm.</summary>
    public static Tls.PrivateKey NewKey(string name, KeyAlgorithm algorithm, Resource parent) =>
        new(name, algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => new Tls.PrivateKeyArgs { Algorithm = "ECDSA", EcdsaCurve = "P256" },
            KeyAlgorithm.Rsa2048 => new Tls.PrivateKeyArgs { Algorithm = "RSA", RsaBits = 2048 },
            KeyAlgorithm.Rsa4096 => new Tls.PrivateKeyArgs { Algorithm = "RSA", RsaBits = 4096 },
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown key algorithm."),
        }, new CustomResourceOptions { Parent = parent });

    /// <summary>
    /// Key usage and extended key usage of a spec. CAs carry their EKU too, because OpenSSL applies EKU along
    /// the chain and that is what keeps a client certificate from passing under a server intermediate.
    /// </summary>
    public static InputList<string> AllowedUses(CertificateSpec spec)
    {
        var uses = new List<string> { "digital_signature" };
        if (spec.IsCertificateAuthority)
        {
            uses.AddRange(["cert_signing", "crl_signing"]);
        }
        else
        {
            uses.Add("key_encipherment");
        }

        uses.AddRange(spec.ExtendedKeyUsages.Select(eku => eku switch
        {
            ExtendedKeyUsage.ServerAuth => "server_auth",
            ExtendedKeyUsage.ClientAuth => "client_auth",
            _ => throw new ArgumentOutOfRangeException(nameof(spec), eku, "Unknown extended key usage."),
        }));
        return uses;
    }

    /// <summary>Validity in whole hours.</summary>
    public static int ValidityHours(CertificateSpec spec) => checked((int)spec.Validity.TotalHours);

    /// <summary>
    /// The renewal window in whole hours, as <c>earlyRenewalHours</c>: once an update runs inside it, the provider
    /// marks the certificate ready for renewal and replaces it (terraform-provider-tls internal/provider/common_cert.go,
    /// modifyPlanIfCertificateReadyForRenewal); its key, a resource of its own, is kept. The certificates it signed are
    /// replaced in the same update, since their <c>caCertPem</c> changes and that forces a replacement.
    /// </summary>
    public static int EarlyRenewalHours(CertificateSpec spec) => checked((int)spec.RenewBefore.TotalHours);
}

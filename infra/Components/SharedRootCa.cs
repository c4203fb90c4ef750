using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using Tls = Pulumi.Tls;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="SharedRootCa"/>.</summary>
public sealed record SharedRootCaArgs
{
    /// <summary>The plan's root certificate spec.</summary>
    public required CertificateSpec Spec { get; init; }

    /// <summary>Algorithm of the root key.</summary>
    public required KeyAlgorithm KeyAlgorithm { get; init; }
}

/// <summary>
/// A self-signed root every region trusts: the one that signs the regional intermediates, or during a root rotation
/// also the next. Its key lives only in the stack state (secret); no resource writes it to a cluster.
/// </summary>
public sealed class SharedRootCa : ComponentResource
{
    /// <summary>Creates the root key and certificate.</summary>
    public SharedRootCa(string name, SharedRootCaArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:SharedRootCa", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Spec = args.Spec;
        var key = TlsMapping.NewKey($"{name}-key", args.KeyAlgorithm, this);
        var certificate = new Tls.SelfSignedCert($"{name}-cert", new Tls.SelfSignedCertArgs
        {
            PrivateKeyPem = key.PrivateKeyPem,
            Subject = new Tls.Inputs.SelfSignedCertSubjectArgs
            {
                CommonName = args.Spec.CommonName,
                Organization = args.Spec.Organization,
            },
            IsCaCertificate = true,
            MaxPathLength = args.Spec.PathLength,
            SetSubjectKeyId = true,
            AllowedUses = TlsMapping.AllowedUses(args.Spec),
            ValidityPeriodHours = TlsMapping.ValidityHours(args.Spec),
            EarlyRenewalHours = TlsMapping.EarlyRenewalHours(args.Spec),
        }, new CustomResourceOptions { Parent = this });

        CertificatePem = certificate.CertPem;
        ValidityEndTime = certificate.ValidityEndTime;
        PrivateKeyPem = Output.CreateSecret(key.PrivateKeyPem);
        RegisterOutputs();
    }

    /// <summary>The plan's root spec this component realises.</summary>
    public CertificateSpec Spec { get; }

    /// <summary>The root certificate (PEM), the only trust anchor of the topology.</summary>
    [Output("certificatePem")]
    public Output<string> CertificatePem { get; private set; }

    /// <summary>When the root certificate expires (RFC 3339).</summary>
    [Output("validityEndTime")]
    public Output<string> ValidityEndTime { get; private set; }

    /// <summary>The root private key (PEM, secret); used only to sign intermediates.</summary>
    [Output("privateKeyPem")]
    public Output<string> PrivateKeyPem { get; private set; }
}

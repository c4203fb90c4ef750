using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Infra.Components;

/// <summary>A Kubernetes Secret of the region's PKI: its name, type and which material each key holds.</summary>
/// <param name="Name">Secret name.</param>
/// <param name="Type">Secret type, e.g. <c>kubernetes.io/tls</c> or <c>Opaque</c>.</param>
/// <param name="Data">Secret key (e.g. <c>tls.crt</c>) to the material it holds.</param>
public sealed record TlsSecret(string Name, string Type, IReadOnlyDictionary<string, SecretMaterial> Data);

/// <summary>One piece of PKI material: a part of a certificate of the plan.</summary>
/// <param name="Spec">The certificate whose material it is.</param>
/// <param name="Part">Which part.</param>
public sealed record SecretMaterial(CertificateSpec Spec, MaterialPart Part);

/// <summary>Parts of an issued certificate a Secret can hold.</summary>
public enum MaterialPart
{
    /// <summary>The certificate alone (PEM).</summary>
    Certificate,

    /// <summary>The certificate followed by its intermediate, the root excluded (what <c>tls.crt</c> holds).</summary>
    Chain,

    /// <summary>The private key (PEM). Never the root's.</summary>
    PrivateKey,
}

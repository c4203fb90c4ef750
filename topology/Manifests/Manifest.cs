using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// One Kubernetes object as data: what the Pulumi layer maps onto a resource and the render command prints.
/// </summary>
/// <param name="ApiVersion">e.g. <c>postgresql.cnpg.io/v1</c>.</param>
/// <param name="Kind">e.g. <c>Cluster</c>.</param>
/// <param name="Name">metadata.name.</param>
/// <param name="Namespace">metadata.namespace.</param>
/// <param name="Labels">metadata.labels.</param>
/// <param name="Annotations">metadata.annotations.</param>
/// <param name="Body">
/// Every top-level field besides apiVersion, kind and metadata (<c>spec</c>, <c>type</c>, <c>data</c>, <c>endpoints</c>…),
/// as nested dictionaries, lists and scalars. Secret values are <see cref="SecretMaterial"/>, never key bytes.
/// </param>
public sealed record Manifest(
    string ApiVersion,
    string Kind,
    string Name,
    string Namespace,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyDictionary<string, object?> Body)
{
    /// <summary>
    /// Annotations whose value is the <see cref="MaterialFingerprint"/> of certificate material, filled in by whoever issues
    /// the certificates: the object then changes whenever that material does (see <see cref="PoolerTls"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SecretMaterial>> MaterialAnnotations { get; init; } = new Dictionary<string, IReadOnlyList<SecretMaterial>>();

    /// <summary>Whether the object is a Kubernetes Secret.</summary>
    public bool IsSecret => Kind == "Secret" && ApiVersion == "v1";

    /// <summary>A short name for messages: <c>Cluster/pg-eu</c>.</summary>
    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>Which part of an issued certificate a Secret key holds.</summary>
public enum MaterialPart
{
    /// <summary>The certificate followed by its intermediate (PEM), as <c>tls.crt</c> must be.</summary>
    Chain,

    /// <summary>The private key (PEM). Secret.</summary>
    PrivateKey,

    /// <summary>Every root the plan trusts (PEM, one after another), as <c>ca.crt</c> holds them; the certificate named is the signing root.</summary>
    TrustedRoots,
}

/// <summary>A reference to certificate material that whoever issues the certificates fills in.</summary>
/// <param name="Certificate">The planned certificate.</param>
/// <param name="Part">Which part of it.</param>
public sealed record SecretMaterial(CertificateSpec Certificate, MaterialPart Part);

using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A region's certificate Secrets in the layout CNPG reads: <c>tls.crt</c> is the leaf and its intermediate,
/// <c>ca.crt</c> holds the shared roots (one, two while a root rotation overlaps), because OpenSSL needs self-signed
/// anchors and peers send their chains; every certificate of an OpenSSL CA file is a trust anchor.
/// No CA key is ever placed in a cluster, and a Secret only where something uses it: the server, replication and
/// pooler-backend identities and the two anchors by CNPG; the app identity by the application's pods in the region.
/// The verify identity is used from outside (stack outputs), so its key never lands in a cluster.
/// </summary>
internal static class PkiSecrets
{
    public static IReadOnlyList<Manifest> For(ClusterNames names, PkiPlan plan, RegionalCertificates certificates) =>
    [
        Leaf(names, names.ServerCertificateSecret, certificates.Server),
        Anchor(names, names.ServerCaSecret, plan.Root),
        Anchor(names, names.ClientCaSecret, plan.Root),
        Leaf(names, names.ReplicationCertificateSecret, certificates.Replication),
        Leaf(names, names.AppCertificateSecret, certificates.App),
        Leaf(names, names.PoolerBackendCertificateSecret, certificates.PoolerBackend),
    ];

    private static Manifest Leaf(ClusterNames names, string secret, CertificateSpec certificate) =>
        Objects.Create("v1", "Secret", secret, names.Namespace, new()
        {
            ["type"] = "kubernetes.io/tls",
            ["data"] = new Dictionary<string, object?>
            {
                ["tls.crt"] = new SecretMaterial(certificate, MaterialPart.Chain),
                ["tls.key"] = new SecretMaterial(certificate, MaterialPart.PrivateKey),
            },
        }, Objects.Reloaded());

    private static Manifest Anchor(ClusterNames names, string secret, CertificateSpec root) =>
        Objects.Create("v1", "Secret", secret, names.Namespace, new()
        {
            ["type"] = "Opaque",
            ["data"] = new Dictionary<string, object?> { ["ca.crt"] = new SecretMaterial(root, MaterialPart.TrustedRoots) },
        }, Objects.Reloaded());
}

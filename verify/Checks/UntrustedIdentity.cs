using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// A client certificate for a real role, correct in every way except that it chains to a root of its own
/// making: the servers must refuse it because they trust only the shared root.
/// </summary>
public static class UntrustedIdentity
{
    /// <summary>Issues a fresh rogue root, client intermediate and leaf for <paramref name="user"/>.</summary>
    public static ClientIdentity Issue(string user)
    {
        const string organization = "CrossClusterIac verify untrusted";
        var notBefore = DateTimeOffset.UtcNow - CertificateIssuer.ClockSkewAllowance;
        var root = CertificateIssuer.Issue(
            new CertificateSpec { Id = "untrusted-root", CommonName = $"{organization} root", Organization = organization, Kind = CertificateKind.RootCa, Validity = TimeSpan.FromDays(1) },
            KeyAlgorithm.EcdsaP256, null, notBefore);
        var intermediate = CertificateIssuer.Issue(
            new CertificateSpec { Id = "untrusted-client-ca", CommonName = $"{organization} client CA", Organization = organization, Kind = CertificateKind.ClientIntermediateCa, IssuerId = root.Spec.Id, Validity = TimeSpan.FromDays(1) },
            KeyAlgorithm.EcdsaP256, root, notBefore);
        var leaf = CertificateIssuer.Issue(
            new CertificateSpec { Id = "untrusted-client", CommonName = user, Organization = organization, Kind = CertificateKind.Client, IssuerId = intermediate.Spec.Id, Validity = TimeSpan.FromDays(1) },
            KeyAlgorithm.EcdsaP256, intermediate, notBefore);
        return ClientIdentity.FromPem(user, leaf.ChainPem, leaf.PrivateKeyPem);
    }
}

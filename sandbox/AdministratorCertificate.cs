using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// A superuser client certificate that exists only in the sandbox directory, for what tests must do to a
/// server (pause replay, inspect it) and no topology output carries. Issued by the primary region's client CA.
/// </summary>
/// <param name="CertificatePath">Leaf + client intermediate.</param>
/// <param name="KeyPath">Private key (0600).</param>
/// <param name="RootCertificatePath">The shared root, to verify servers with.</param>
public sealed record AdministratorCertificate(string CertificatePath, string KeyPath, string RootCertificatePath)
{
    /// <summary>Where the certificate of the sandbox in <paramref name="directory"/> is.</summary>
    public static AdministratorCertificate In(string directory) => new(
        Path.Combine(directory, "administrator.crt"),
        Path.Combine(directory, "administrator.key"),
        Path.Combine(directory, "root.crt"));

    /// <summary>Issues the certificate and writes it, its key and the root into <paramref name="directory"/>.</summary>
    public static AdministratorCertificate Write(IssuedPki pki, TopologyConfig topology, string directory)
    {
        var clientCa = pki[pki.Plan.ForRegion(topology.PrimaryRegion!).ClientCa];
        var spec = new CertificateSpec
        {
            Id = "sandbox-administrator",
            CommonName = SandboxOnly.AdministratorRole,
            Organization = topology.Pki.Organization,
            Kind = CertificateKind.Client,
            IssuerId = clientCa.Spec.Id,
            Validity = TimeSpan.FromDays(1),
        };
        // Backdated as verify's probes are, but never before its CA, whose validity starts at its issue as pulumi-tls's does.
        var backdated = DateTimeOffset.UtcNow - CertificateIssuer.ClockSkewAllowance;
        var issued = CertificateIssuer.Issue(spec, pki.Plan.KeyAlgorithm, clientCa, backdated > clientCa.ValidFrom ? backdated : clientCa.ValidFrom);
        var written = In(directory);
        SecretFile.Write(written.CertificatePath, issued.ChainPem);
        SecretFile.Write(written.KeyPath, issued.PrivateKeyPem);
        SecretFile.Write(written.RootCertificatePath, pki.TrustBundle);
        return written;
    }
}

using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Pki;

/// <summary>
/// An update of an issued PKI to a plan, deciding per certificate what Pulumi.Tls decides in <c>pulumi up</c>, so the
/// sandbox and the tests renew exactly what a stack would:
/// <list type="bullet">
/// <item>a certificate inside its renewal window is re-issued: <c>early_renewal_hours</c> sets <c>ready_for_renewal</c>,
/// which forces a replacement (terraform-provider-tls internal/provider/common_cert.go,
/// modifyPlanIfCertificateReadyForRenewal);</item>
/// <item>a certificate whose issuer was re-issued, or that another root now signs, is re-issued too: <c>ca_cert_pem</c>
/// forces a replacement of tls_locally_signed_cert;</item>
/// <item>a re-issued certificate keeps its key: the <c>tls_private_key</c> resource is not replaced;</item>
/// <item>anything else is kept as it is, so an update outside every window changes nothing.</item>
/// </list>
/// A certificate that is expired on issue (a probe) has no window: it follows its issuer only.
/// </summary>
public static class CertificateRenewal
{
    /// <summary>
    /// Brings <paramref name="previous"/> to <paramref name="plan"/> at <paramref name="now"/>; <paramref name="force"/>
    /// names the tier a rotation re-issues as if it were inside its window.
    /// </summary>
    public static RenewedPki Renew(PkiPlan plan, IssuedPki previous, DateTimeOffset now, CertificateTier? force = null)
    {
        // Valid from the update, as pulumi-tls's re-issue is (CertificateIssuer).
        var notBefore = now;
        var issued = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        var reissued = new List<string>();
        foreach (var spec in plan.Certificates)
        {
            var issuer = spec.IssuerId is null ? null : issued[spec.IssuerId];
            var before = previous.Find(spec.Id);
            if (before is not null && !Due(spec, before, issuer, reissued, now, force))
            {
                issued.Add(spec.Id, before);
                continue;
            }

            issued.Add(spec.Id, CertificateIssuer.Issue(spec, plan.KeyAlgorithm, issuer, notBefore, before?.PrivateKeyPem));
            reissued.Add(spec.Id);
        }

        return new RenewedPki(new IssuedPki(issued, plan), reissued);
    }

    // Whether the certificate's renewal window has begun at now.
    private static bool InWindow(CertificateSpec spec, X509Certificate2 certificate, DateTimeOffset now) =>
        !spec.IsExpiredOnIssue && now >= new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero) - spec.RenewBefore;

    private static bool Due(CertificateSpec spec, IssuedCertificate before, IssuedCertificate? issuer, List<string> reissued, DateTimeOffset now, CertificateTier? force) =>
        (force == spec.Tier && !spec.IsExpiredOnIssue)
        || InWindow(spec, before.Certificate, now)
        || (issuer is not null && (reissued.Contains(issuer.Spec.Id) || !SignedBy(before.Certificate, issuer.Certificate)));

    // Another issuer's name: the plan moved the certificate under another root (a root rotation's second phase).
    private static bool SignedBy(X509Certificate2 certificate, X509Certificate2 issuer) =>
        certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData);
}

/// <summary>The outcome of a renewal.</summary>
/// <param name="Pki">Every certificate of the plan, kept or re-issued.</param>
/// <param name="Reissued">Ids of the certificates issued anew, issuers first.</param>
public sealed record RenewedPki(IssuedPki Pki, IReadOnlyList<string> Reissued);

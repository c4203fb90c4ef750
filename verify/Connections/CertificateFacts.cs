using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Verify.Connections;

/// <summary>What an operator needs to know of a certificate in use: which one it is, who issued it, how long it lasts.</summary>
public static class CertificateFacts
{
    /// <summary>
    /// The tier of a certificate: a self-signed CA is a root, another CA an intermediate, anything else a leaf.
    /// </summary>
    public static CertificateTier TierOf(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true }
            ? certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? CertificateTier.Root : CertificateTier.Intermediate
            : CertificateTier.Leaf;

    /// <summary>Whole days from <paramref name="now"/> to the certificate's end; negative once it expired.</summary>
    public static int DaysLeft(X509Certificate2 certificate, DateTime now) =>
        (int)Math.Floor((certificate.NotAfter.ToUniversalTime() - now.ToUniversalTime()).TotalDays);

    /// <summary>Why the certificate cannot be used at <paramref name="now"/> (expired, not yet valid), or <c>null</c>.</summary>
    public static string? TimeProblem(X509Certificate2 certificate, DateTime now) =>
        now.ToUniversalTime() > certificate.NotAfter.ToUniversalTime() ? $"expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
        : now.ToUniversalTime() < certificate.NotBefore.ToUniversalTime() ? $"not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"
        : null;

    /// <summary>e.g. <c>certificate 'pg-eu-rw' serial 5A0F… issued by 'Example eu server CA'</c>.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"certificate '{Name(certificate)}' serial {certificate.SerialNumber} issued by '{certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true)}'";

    /// <summary>
    /// <see cref="Describe"/> with the days left and the root it chains to, e.g. for the report's detail.
    /// </summary>
    public static string Summary(X509Certificate2 certificate, X509Certificate2? anchor, DateTime now) =>
        string.Create(CultureInfo.InvariantCulture, $"serial {certificate.SerialNumber}, issuer '{certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true)}'{(anchor is null ? string.Empty : $" under '{Name(anchor)}'")}, {DaysLeft(certificate, now)} d left");

    /// <summary>The subject's common name.</summary>
    public static string Name(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}

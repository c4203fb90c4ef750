using System.Globalization;
using System.Text;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A CNPG custom query (the <c>customQueriesConfigMap</c> format, pkg/management/postgres/metrics/parser.go UserQuery)
/// that exports when each certificate a region's servers use expires and when its renewal window opens, as
/// <c>cnpg_crosscluster_certificates_expiry_timestamp_seconds</c> and <c>cnpg_crosscluster_certificates_renew_before_seconds</c>
/// with labels <c>certificate</c> and <c>tier</c>. CNPG exports no certificate metric, and PostgreSQL cannot read its own
/// certificate's dates from SQL, so the query returns the dates the issuer wrote: whoever issues the certificates fills
/// them in (<see cref="Render"/>), and re-issuing a certificate changes the ConfigMap, which CNPG reloads (cnpg.io/reload).
/// </summary>
/// <param name="Certificates">The certificates the region's instances and pooler present or trust.</param>
public sealed record CertificateExpiries(IReadOnlyList<CertificateSpec> Certificates)
{
    /// <summary>The ConfigMap key that holds the query.</summary>
    public const string Key = "certificates.yaml";

    /// <summary>Name of the query, and so the metrics' prefix after <c>cnpg_</c>.</summary>
    public const string QueryName = "crosscluster_certificates";

    /// <summary>The query's YAML, with <paramref name="notAfter"/> giving each certificate's end.</summary>
    public string Render(Func<CertificateSpec, DateTimeOffset> notAfter)
    {
        ArgumentNullException.ThrowIfNull(notAfter);
        var rows = string.Join(", ", Certificates.Select(c => string.Create(
            CultureInfo.InvariantCulture,
            $"('{c.Id}', '{c.Tier.ToString().ToLowerInvariant()}', {notAfter(c).ToUnixTimeSeconds()}, {(long)c.RenewBefore.TotalSeconds})")));
        return new StringBuilder()
            .Append(QueryName).Append(":\n")
            .Append("  query: \"SELECT certificate, tier, expiry_timestamp_seconds, renew_before_seconds FROM (VALUES ").Append(rows)
            .Append(") AS c(certificate, tier, expiry_timestamp_seconds, renew_before_seconds)\"\n")
            .Append("  metrics:\n")
            .Append("    - certificate:\n        usage: LABEL\n        description: Plan id of the certificate\n")
            .Append("    - tier:\n        usage: LABEL\n        description: root, intermediate or leaf\n")
            .Append("    - expiry_timestamp_seconds:\n        usage: GAUGE\n        description: When the certificate expires (Unix time)\n")
            .Append("    - renew_before_seconds:\n        usage: GAUGE\n        description: How long before its expiry an update re-issues it\n")
            .ToString();
    }
}

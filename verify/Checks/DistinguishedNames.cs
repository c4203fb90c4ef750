using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Distinguished names in the form PostgreSQL's <c>pg_stat_ssl</c> reports them.</summary>
public static class DistinguishedNames
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
    };

    /// <summary>
    /// The subject of <paramref name="pem"/> in OpenSSL's one-line form (<c>/CN=…/O=…</c>, in encoded order), which is
    /// how <c>pg_stat_ssl.client_dn</c> and <c>issuer_dn</c> print it.
    /// </summary>
    public static string OneLineSubject(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return string.Concat(certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(rdn =>
        {
            var oid = rdn.GetSingleElementType().Value ?? "";
            return $"/{(ShortNames.TryGetValue(oid, out var name) ? name : oid)}={rdn.GetSingleElementValue()}";
        }));
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Topology.Outputs;

/// <summary>
/// Checks the PEM material of an outputs document before anything uses it: every certificate field holds
/// certificates only, each client key is a private key of its own certificate. A reader then never meets a
/// certificate it cannot load halfway through a run.
/// </summary>
internal static class OutputsMaterial
{
    private const string BeginMarker = "-----BEGIN ";
    private const string CertificateLabel = "CERTIFICATE";
    private const string EncryptedKeyLabel = "ENCRYPTED PRIVATE KEY";

    /// <summary>How many certificates <paramref name="pem"/> (under <paramref name="key"/>) holds, each of which parses.</summary>
    /// <exception cref="OutputsFormatException">A block is not a certificate, does not decode, or there is none.</exception>
    public static int CertificateCount(string pem, string key)
    {
        var certificates = Certificates(pem, key);
        Dispose(certificates);
        return certificates.Count;
    }

    /// <summary>How many certificates of <paramref name="pem"/> repeat one before them (by thumbprint).</summary>
    /// <exception cref="OutputsFormatException">The text holds no certificate, or a block that does not parse.</exception>
    public static int RepeatedCertificates(string pem, string key)
    {
        var certificates = Certificates(pem, key);
        var repeated = certificates.Count - certificates.Select(c => c.Thumbprint).Distinct(StringComparer.Ordinal).Count();
        Dispose(certificates);
        return repeated;
    }

    /// <summary>
    /// Checks a client's chain (under <paramref name="chainKey"/>) and that <paramref name="privateKeyPem"/> (under
    /// <paramref name="key"/>) is the unencrypted private key of its first certificate, the leaf.
    /// </summary>
    /// <exception cref="OutputsFormatException">The chain does not parse, or the key is not a private key, or not the leaf's.</exception>
    public static void ClientPair(string chainPem, string chainKey, string privateKeyPem, string key)
    {
        var chain = Certificates(chainPem, chainKey);
        try
        {
            PrivateKeyOf(chain[0], chainKey, privateKeyPem, key);
        }
        finally
        {
            Dispose(chain);
        }
    }

    private static X509Certificate2Collection Certificates(string pem, string key)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            foreach (var (label, data) in Blocks(pem, key, "-----BEGIN CERTIFICATE-----"))
            {
                if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
                {
                    throw new OutputsFormatException($"'{key}' holds a private key ({label}) where a certificate belongs: give the certificate (-----BEGIN CERTIFICATE-----), never its key");
                }

                if (label != CertificateLabel)
                {
                    throw new OutputsFormatException($"'{key}' holds a PEM block labelled '{label}' where only certificates (-----BEGIN CERTIFICATE-----) belong");
                }

                try
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(data));
                }
                catch (CryptographicException e)
                {
                    throw new OutputsFormatException($"'{key}' holds a certificate that does not parse ({e.Message}): copy it again from its source");
                }
            }
        }
        catch
        {
            Dispose(certificates);
            throw;
        }

        return certificates;
    }

    private static void PrivateKeyOf(X509Certificate2 certificate, string certificateKey, string privateKeyPem, string key)
    {
        var blocks = Blocks(privateKeyPem, key, "-----BEGIN PRIVATE KEY-----");
        if (blocks.Count != 1)
        {
            throw new OutputsFormatException($"'{key}' holds {blocks.Count} PEM blocks: give the one private key of '{certificateKey}'");
        }

        var label = blocks[0].Label;
        if (label == EncryptedKeyLabel)
        {
            throw new OutputsFormatException($"'{key}' is an encrypted private key: give it unencrypted (-----BEGIN PRIVATE KEY-----), as the stack exports it");
        }

        if (!label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new OutputsFormatException($"'{key}' holds a PEM block labelled '{label}' where a private key (-----BEGIN PRIVATE KEY-----) belongs");
        }

        try
        {
            // CreateFromPem imports the key with the certificate's algorithm and refuses a key whose public half differs.
            using var paired = X509Certificate2.CreateFromPem(certificate.ExportCertificatePem(), privateKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new OutputsFormatException($"'{key}' is not the private key of the certificate in '{certificateKey}' ({e.Message}): give the key that was issued with that certificate");
        }
    }

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    private static List<(string Label, byte[] Data)> Blocks(string pem, string key, string expected)
    {
        var blocks = new List<(string Label, byte[] Data)>();
        var rest = pem.AsSpan();

        // PemEncoding.TryFind (RFC 7468) skips a block whose base64 does not decode or whose END line does not match
        // its BEGIN line, so a block that was found is whole; one that was skipped shows as a BEGIN line too many.
        while (PemEncoding.TryFind(rest, out var fields))
        {
            blocks.Add((rest[fields.Label].ToString(), Convert.FromBase64String(rest[fields.Base64Data].ToString())));
            rest = rest[fields.Location.End..];
        }

        var begins = CountOf(pem, BeginMarker);
        if (begins == 0)
        {
            throw new OutputsFormatException($"'{key}' is not PEM: expected {expected} … -----END …-----");
        }

        return begins == blocks.Count
            ? blocks
            : throw new OutputsFormatException($"'{key}' holds a PEM block that does not decode (corrupt base64, or BEGIN and END lines that do not match): copy it again from its source");
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

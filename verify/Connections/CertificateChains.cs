using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Verify.Connections;

/// <summary>Chain building against the shared root alone, with the purpose the certificate must serve.</summary>
public static class CertificateChains
{
    /// <summary>TLS server authentication (EKU 1.3.6.1.5.5.7.3.1).</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>TLS client authentication (EKU 1.3.6.1.5.5.7.3.2).</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Builds <paramref name="leaf"/>'s chain to <paramref name="root"/> through <paramref name="intermediates"/>, for <paramref name="purpose"/>.</summary>
    public static ChainVerdict Verify(X509Certificate2 leaf, X509Certificate2 root, X509Certificate2Collection intermediates, Oid purpose, DateTime? at = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        if (at is { } moment)
        {
            chain.ChainPolicy.VerificationTime = moment;
        }

        var trusted = chain.Build(leaf);
        var problems = chain.ChainElements
            .SelectMany(e => e.ChainElementStatus.Select(s => $"{e.Certificate.GetNameInfo(X509NameType.SimpleName, false)}: {s.StatusInformation.Trim()}"))
            .Distinct()
            .ToList();
        return new ChainVerdict(trusted, problems);
    }
}

/// <summary>Whether a chain verified, and what was wrong if not.</summary>
/// <param name="Trusted">The chain ends at the root and every element is valid for the purpose.</param>
/// <param name="Problems">One line per problem found, naming the certificate.</param>
public sealed record ChainVerdict(bool Trusted, IReadOnlyList<string> Problems);

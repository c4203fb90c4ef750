using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Pki;

/// <summary>
/// A root rotation walked phase by phase (issue 12: root rotation with trust overlap). Between two phases every
/// Secret may hold either phase's material, since regions and CNPG's reloads apply an update at their own pace;
/// so each certificate a peer presents, from either phase, must chain to a root in each trust bundle, from either
/// phase, of every region: replica to primary, client to pooler, pooler to server, across regions too.
/// </summary>
public class RootRotationTests
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TopologyConfig At(int generation, RootRotationPhase? phase)
    {
        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));
        return topology with { Pki = topology.Pki with { RootGeneration = generation, RootRotation = phase } };
    }

    /// <summary>The documented sequence, twice over, so a second rotation starts from a rotated root.</summary>
    private static readonly TopologyConfig[] Sequence =
    [
        At(1, null), At(1, RootRotationPhase.TrustNext), At(1, RootRotationPhase.SignWithNext),
        At(2, null), At(2, RootRotationPhase.TrustNext), At(2, RootRotationPhase.SignWithNext),
        At(3, null),
    ];

    [Fact]
    public void NoPhaseLeavesTwoPeersWithoutARootTheyBothTrust()
    {
        var pki = CertificateIssuer.Issue(PkiPlan.For(Sequence[0]), Start);
        for (var step = 1; step < Sequence.Length; step++)
        {
            var next = Renew(pki, Sequence[step], Start.AddDays(step));

            Assert.Empty(UntrustedPairs([(Sequence[step - 1], pki), (Sequence[step], next)], Start.AddDays(step)));
            pki = next;
        }

        Assert.Equal("root-ca-3", pki.Root.Spec.Id);
        Assert.Equal([pki.Root.Spec.Id], pki.Plan.TrustedRoots.Select(r => r.Id));
    }

    [Fact]
    public void SkippingTheTrustPhaseLeavesPeersWithoutACommonRoot()
    {
        var pki = CertificateIssuer.Issue(PkiPlan.For(Sequence[0]), Start);

        var next = Renew(pki, Sequence[2], Start.AddDays(1));

        Assert.NotEmpty(UntrustedPairs([(Sequence[0], pki), (Sequence[2], next)], Start.AddDays(1)));
    }

    [Fact]
    public void DroppingTheOldRootBeforeReissuingLeavesPeersWithoutACommonRoot()
    {
        var pki = Renew(CertificateIssuer.Issue(PkiPlan.For(Sequence[0]), Start), Sequence[1], Start.AddDays(1));

        var next = Renew(pki, Sequence[3], Start.AddDays(2));

        Assert.NotEmpty(UntrustedPairs([(Sequence[1], pki), (Sequence[3], next)], Start.AddDays(2)));
    }

    [Fact]
    public void OnlyTheSigningPhaseReissuesAndOnlyBelowTheRoot()
    {
        var first = CertificateIssuer.Issue(PkiPlan.For(Sequence[0]), Start);

        var trust = CertificateRenewal.Renew(PkiPlan.For(Sequence[1]), first, Start.AddDays(1));
        var sign = CertificateRenewal.Renew(PkiPlan.For(Sequence[2]), trust.Pki, Start.AddDays(2));
        var done = CertificateRenewal.Renew(PkiPlan.For(Sequence[3]), sign.Pki, Start.AddDays(3));

        Assert.Equal(["root-ca-2"], trust.Reissued);
        Assert.Equal(sign.Pki.Plan.Certificates.Where(c => c.Tier != CertificateTier.Root).Select(c => c.Id), sign.Reissued);
        Assert.Empty(done.Reissued);
        Assert.Equal(2, CountCertificates(trust.Pki.TrustBundle));
        Assert.Equal(1, CountCertificates(done.Pki.TrustBundle));
        Assert.Equal(trust.Pki.Find("root-ca-2")!.CertificatePem, done.Pki.TrustBundle);
    }

    private static IssuedPki Renew(IssuedPki pki, TopologyConfig topology, DateTimeOffset now) =>
        CertificateRenewal.Renew(PkiPlan.For(topology), pki, now).Pki;

    private static int CountCertificates(string bundle)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(bundle);
        return certificates.Count;
    }

    /// <summary>Every (presented chain, trust bundle) pair of the given states whose chain does not verify.</summary>
    private static List<string> UntrustedPairs(IReadOnlyList<(TopologyConfig Topology, IssuedPki Pki)> states, DateTimeOffset at)
    {
        var presented = new List<(string Label, string Chain, Oid Purpose)>();
        var anchors = new List<(string Label, string Bundle, Oid Purpose)>();
        foreach (var (topology, pki) in states)
        {
            var phase = $"generation {topology.Pki.RootGeneration} {topology.Pki.RootRotation?.ToString() ?? "settled"}";
            foreach (var secret in TopologyManifests.For(topology, pki.Plan).SelectMany(r => r.Secrets))
            {
                var data = (IReadOnlyDictionary<string, object?>)secret.Body["data"]!;
                if (data.TryGetValue("tls.crt", out var chain))
                {
                    var material = (SecretMaterial)chain!;
                    var purpose = material.Certificate.ExtendedKeyUsages.Single() == ExtendedKeyUsage.ServerAuth ? ServerAuth : ClientAuth;
                    presented.Add(($"{secret.Name} ({phase})", pki.Material(material), purpose));
                }
                else
                {
                    var purpose = secret.Name.EndsWith("-server-ca", StringComparison.Ordinal) ? ServerAuth : ClientAuth;
                    anchors.Add(($"{secret.Name} ({phase})", pki.Material((SecretMaterial)data["ca.crt"]!), purpose));
                }
            }
        }

        Assert.NotEmpty(presented);
        Assert.NotEmpty(anchors);
        return [.. from p in presented
                   from a in anchors
                   where p.Purpose.Value == a.Purpose.Value && !Verifies(p.Chain, a.Bundle, p.Purpose, at)
                   select $"{p.Label} is not trusted by {a.Label}"];
    }

    private static bool Verifies(string chainPem, string bundlePem, Oid purpose, DateTimeOffset at)
    {
        var chainCertificates = new X509Certificate2Collection();
        chainCertificates.ImportFromPem(chainPem);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(bundlePem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(chainCertificates);
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        return chain.Build(chainCertificates[0]);
    }
}

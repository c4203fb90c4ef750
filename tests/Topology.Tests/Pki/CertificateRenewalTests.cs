using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Pki;

/// <summary>What an update renews, as Pulumi.Tls would (issue 12: renewal before expiry).</summary>
public class CertificateRenewalTests
{
    private static readonly DateTimeOffset Issued = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TopologyConfig Topology(RenewalSettings? renewal = null)
    {
        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));
        return renewal is null ? topology : topology with { Pki = topology.Pki with { RenewBeforeDays = renewal } };
    }

    private static (PkiPlan Plan, IssuedPki Pki) IssuedAt(TopologyConfig topology)
    {
        var plan = PkiPlan.For(topology);
        return (plan, CertificateIssuer.Issue(plan, Issued));
    }

    private static string Serial(IssuedPki pki, CertificateSpec spec) => pki[spec].Certificate.SerialNumber;

    [Fact]
    public void AnUpdateOutsideEveryWindowChangesNothing()
    {
        var (plan, pki) = IssuedAt(Topology());

        var renewed = CertificateRenewal.Renew(plan, pki, Issued.AddDays(1));

        Assert.Empty(renewed.Reissued);
        Assert.All(plan.Certificates, spec => Assert.Equal(Serial(pki, spec), Serial(renewed.Pki, spec)));
    }

    [Fact]
    public void ALeafInsideItsWindowIsReissuedWithItsOwnKeyAndNothingAboveIt()
    {
        var topology = Topology(new RenewalSettings { LeafDays = 30 });
        var (plan, pki) = IssuedAt(topology);
        var leafDays = topology.Pki.Validity.LeafDays;

        var before = CertificateRenewal.Renew(plan, pki, Issued.AddDays(leafDays - 31));
        var inside = CertificateRenewal.Renew(plan, pki, Issued.AddDays(leafDays - 29));

        Assert.Empty(before.Reissued);
        var leaves = plan.Certificates.Where(c => c.Tier == CertificateTier.Leaf && !c.IsExpiredOnIssue).Select(c => c.Id).ToHashSet();
        Assert.Equal(leaves, inside.Reissued.ToHashSet());
        foreach (var id in leaves)
        {
            var (old, renewed) = (pki[plan[id]].Certificate, inside.Pki[plan[id]].Certificate);
            Assert.NotEqual(old.SerialNumber, renewed.SerialNumber);
            Assert.Equal(old.PublicKey.EncodedKeyValue.RawData, renewed.PublicKey.EncodedKeyValue.RawData);
            Assert.True(renewed.NotAfter > old.NotAfter, id);
        }
    }

    [Fact]
    public void AReissuedIntermediateReissuesEveryCertificateItSigns()
    {
        var (plan, pki) = IssuedAt(Topology());

        var renewed = CertificateRenewal.Renew(plan, pki, Issued.AddDays(1), force: CertificateTier.Intermediate);

        var expected = plan.Certificates.Where(c => c.Tier != CertificateTier.Root).Select(c => c.Id).ToHashSet();
        Assert.Equal(expected, renewed.Reissued.ToHashSet());
        Assert.Equal(Serial(pki, plan.Root), Serial(renewed.Pki, plan.Root));
    }

    [Fact]
    public void ARenewedRootKeepsItsKeySoChainsIssuedBeforeStillVerify()
    {
        var (plan, pki) = IssuedAt(Topology());

        var renewed = CertificateRenewal.Renew(plan, pki, Issued.AddDays(1), force: CertificateTier.Root);

        Assert.Equal(plan.Certificates.Count, renewed.Reissued.Count);
        var server = pki[plan.Regions[0].Server];
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(renewed.Pki.Root.Certificate);
        chain.ChainPolicy.ExtraStore.Add(pki[plan.Regions[0].ServerCa].Certificate);
        chain.ChainPolicy.VerificationTime = Issued.AddDays(2).UtcDateTime;
        Assert.True(chain.Build(server.Certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void AnOmittedWindowIsAThirdOfTheValidity()
    {
        var topology = Topology();
        var plan = PkiPlan.For(topology);

        Assert.Equal(TimeSpan.FromDays(topology.Pki.Validity.LeafDays / 3), plan.Regions[0].Server.RenewBefore);
        Assert.Equal(TimeSpan.FromDays(topology.Pki.Validity.IntermediateDays / 3), plan.Regions[0].ServerCa.RenewBefore);
        Assert.Equal(TimeSpan.FromDays(topology.Pki.Validity.RootDays / 3), plan.Root.RenewBefore);
        Assert.Equal(TimeSpan.Zero, plan.Regions[0].ExpiredProbe.RenewBefore);
    }

    [Fact]
    public void TheExpiredProbeIsNeverRenewedByItsWindowButFollowsItsIssuer()
    {
        var (plan, pki) = IssuedAt(Topology());
        var probe = plan.Regions[0].ExpiredProbe;

        var leaves = CertificateRenewal.Renew(plan, pki, Issued.AddDays(1), force: CertificateTier.Leaf);
        var intermediates = CertificateRenewal.Renew(plan, pki, Issued.AddDays(1), force: CertificateTier.Intermediate);

        Assert.DoesNotContain(probe.Id, leaves.Reissued);
        Assert.Contains(probe.Id, intermediates.Reissued);
        Assert.True(intermediates.Pki[probe].Certificate.NotAfter < DateTime.UtcNow);
    }
}

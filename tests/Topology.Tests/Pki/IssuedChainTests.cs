using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Tests.Topology.Config;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Pki;

public class IssuedChainTests
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private static readonly Lazy<IssuedPki> DevPki = new(() =>
        CertificateIssuer.Issue(PkiPlan.For(TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("dev")))));

    public static TheoryData<string> Leaves()
    {
        var data = new TheoryData<string>();
        foreach (var spec in DevPki.Value.Plan.Certificates.Where(c => !c.IsCertificateAuthority && c.Validity > TimeSpan.Zero))
        {
            data.Add(spec.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Leaves))]
    public void LeafChainsToTheRootThroughItsRegionsIntermediate(string id)
    {
        var pki = DevPki.Value;
        var leaf = pki[pki.Plan[id]];
        var intermediate = pki[pki.Plan[leaf.Spec.IssuerId!]];
        var purpose = leaf.Spec.ExtendedKeyUsages.Single() == ExtendedKeyUsage.ServerAuth ? ServerAuth : ClientAuth;

        using var chain = ChainTrusting(pki.Root.Certificate, purpose);
        chain.ChainPolicy.ExtraStore.Add(intermediate.Certificate);

        Assert.True(chain.Build(leaf.Certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(3, chain.ChainElements.Count);
        Assert.Equal(intermediate.Certificate.Thumbprint, chain.ChainElements[1].Certificate.Thumbprint);
        Assert.Equal(leaf.Spec.Region, intermediate.Spec.Region);
    }

    [Fact]
    public void ClientCertificateUnderAServerIntermediateIsRefused()
    {
        var pki = DevPki.Value;
        var serverCa = pki[pki.Plan.ForRegion("us").ServerCa];
        var misissued = CertificateIssuer.Issue(
            pki.Plan.ForRegion("us").App with { Id = "misissued", IssuerId = serverCa.Spec.Id },
            KeyAlgorithm.EcdsaP256,
            serverCa,
            serverCa.ValidFrom);

        using var chain = ChainTrusting(pki.Root.Certificate, ClientAuth);
        chain.ChainPolicy.ExtraStore.Add(serverCa.Certificate);

        Assert.False(chain.Build(misissued.Certificate));
        Assert.Contains(chain.ChainStatus, s => s.Status == X509ChainStatusFlags.NotValidForUsage);
    }

    [Fact]
    public void BasicConstraintsAreWhatPulumiTlsWritesTheRootPathLengthOneAnIntermediateNoneALeafNoCa()
    {
        foreach (var issued in DevPki.Value.All)
        {
            var constraints = issued.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            Assert.True(constraints.Critical);
            Assert.Equal(issued.Spec.IsCertificateAuthority, constraints.CertificateAuthority);
            Assert.Equal(issued.Spec.Kind == CertificateKind.RootCa, constraints.HasPathLengthConstraint);
            if (issued.Spec.Kind == CertificateKind.RootCa)
            {
                Assert.Equal(1, constraints.PathLengthConstraint);
            }
        }
    }

    [Fact]
    public void ACaSignedByAnIntermediateIsRefusedByTheRootsPathLength()
    {
        // Without pathlen 0 on the intermediates (pulumi-tls omits it), the root's pathlen 1 is what stops a second CA level.
        var pki = DevPki.Value;
        var serverCa = pki[pki.Plan.ForRegion("eu").ServerCa];
        var server = pki.Plan.ForRegion("eu").Server;
        var rogueCa = CertificateIssuer.Issue(serverCa.Spec with { Id = "rogue-ca", CommonName = "rogue", IssuerId = serverCa.Spec.Id, Validity = TimeSpan.FromDays(2) }, pki.Plan.KeyAlgorithm, serverCa, serverCa.ValidFrom);
        var leaf = CertificateIssuer.Issue(server with { Id = "rogue-leaf", IssuerId = "rogue-ca", Validity = TimeSpan.FromDays(1) }, pki.Plan.KeyAlgorithm, rogueCa, serverCa.ValidFrom);

        using var chain = ChainTrusting(pki.Root.Certificate, ServerAuth);
        chain.ChainPolicy.ExtraStore.Add(serverCa.Certificate);
        chain.ChainPolicy.ExtraStore.Add(rogueCa.Certificate);

        Assert.False(chain.Build(leaf.Certificate));
        Assert.Contains(chain.ChainStatus, s => s.Status == X509ChainStatusFlags.InvalidBasicConstraints);
    }

    [Fact]
    public void APlansCertificatesAreValidFromTheirIssueAsPulumiTlsIssuesThemNotBackdated()
    {
        var now = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

        var pki = CertificateIssuer.Issue(DevPki.Value.Plan, now);

        Assert.All(pki.All, c => Assert.Equal(now.UtcDateTime, c.Certificate.NotBefore.ToUniversalTime()));
    }

    [Fact]
    public void IntermediatesCarryTheirPurposeAsExtendedKeyUsage()
    {
        var region = DevPki.Value.Plan.ForRegion("eu");

        Assert.Equal([ServerAuth.Value!], Ekus(DevPki.Value[region.ServerCa].Certificate));
        Assert.Equal([ClientAuth.Value!], Ekus(DevPki.Value[region.ClientCa].Certificate));
    }

    [Fact]
    public void ServerCertificateNamesEveryServiceAndTheExposedAddress()
    {
        var pki = CertificateIssuer.Issue(PkiPlan.For(TopologyConfigLoader.FromStackYaml(ConfigYaml.Valid)));
        var server = pki[pki.Plan.ForRegion("eu").Server].Certificate;

        foreach (var name in new[] { "pg-eu-rw", "pg-eu-ro", "pg-eu-r", "pg-eu-pooler-rw", "pg-eu-rw.default", "pg-eu-rw.default.svc", "pg-eu-rw.default.svc.cluster.local", "pg-eu-pooler-rw.default.svc.cluster.local" })
        {
            Assert.True(server.MatchesHostname(name), name);
        }

        Assert.True(server.MatchesHostname("172.18.0.2"));
        Assert.False(server.MatchesHostname("172.18.0.3"));
        Assert.False(server.MatchesHostname("pg-us-rw"));
    }

    [Fact]
    public void DiscoveredAddressIsNotASubjectAlternativeName()
    {
        var plan = PkiPlan.For(TopologyConfigLoader.FromStackYaml(ConfigYaml.With("address: 172.18.0.2", $"address: {ExposureConfig.DiscoveredAddress}")));

        var server = plan.ForRegion("eu").Server;

        Assert.Empty(server.IpAddresses);
        Assert.DoesNotContain(ExposureConfig.DiscoveredAddress, server.DnsNames);
        Assert.Contains("pg-eu-rw", server.DnsNames);
    }

    [Fact]
    public void ChainPemHoldsTheLeafThenItsIntermediateAndNotTheRoot()
    {
        var pki = DevPki.Value;
        var replication = pki[pki.Plan.ForRegion("us").Replication];

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(replication.ChainPem);

        Assert.Equal(
            [replication.Certificate.Thumbprint, pki[pki.Plan.ForRegion("us").ClientCa].Certificate.Thumbprint],
            chain.Select(c => c.Thumbprint));
    }

    [Fact]
    public void EveryCertificateEndsBeforeItsIssuer()
    {
        var pki = DevPki.Value;
        foreach (var issued in pki.All.Where(c => c.Spec.IssuerId is not null))
        {
            Assert.True(issued.Certificate.NotAfter < pki[pki.Plan[issued.Spec.IssuerId!]].Certificate.NotAfter, issued.Spec.Id);
        }
    }

    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    [InlineData(KeyAlgorithm.Rsa2048)]
    public void ProbeSignedFromPemsChainsToTheRootButIsExpired(KeyAlgorithm algorithm)
    {
        var (pki, probe) = SignProbe(algorithm);
        var clientCa = pki[pki.Plan.ForRegion("eu").ClientCa];

        using var chain = ChainTrusting(pki.Root.Certificate, ClientAuth);
        chain.ChainPolicy.ExtraStore.Add(clientCa.Certificate);
        // Expiry is the only fault: the signature, issuer and EKU hold.
        Assert.False(chain.Build(probe));
        Assert.Equal([X509ChainStatusFlags.NotTimeValid], chain.ChainStatus.Select(s => s.Status));
        Assert.Equal(3, chain.ChainElements.Count);
    }

    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    [InlineData(KeyAlgorithm.Rsa2048)]
    public void ProbeSignedAgainIsTheSameCertificateByteForByte(KeyAlgorithm algorithm)
    {
        // The program signs the probe on every preview: any random byte (an ECDSA nonce) would show as a change.
        var (pki, first) = SignProbe(algorithm);
        var spec = pki.Plan.ForRegion("eu").ExpiredProbe;
        var clientCa = pki[pki.Plan.ForRegion("eu").ClientCa];

        using var second = X509Certificate2.CreateFromPem(ExpiredCertificate.Sign(spec, pki[spec].PrivateKeyPem, clientCa.CertificatePem, clientCa.PrivateKeyPem));

        Assert.Equal(first.SerialNumber, second.SerialNumber);
        Assert.Equal((first.NotBefore, first.NotAfter), (second.NotBefore, second.NotAfter));
        Assert.Equal(first.PublicKey.EncodedKeyValue.RawData, second.PublicKey.EncodedKeyValue.RawData);
        Assert.Equal(first.Subject, second.Subject);
        Assert.Equal(first.RawData, second.RawData);
    }

    [Fact]
    public void ExpiredProbeIsExpiredOnIssue()
    {
        var probe = DevPki.Value[DevPki.Value.Plan.ForRegion("eu").ExpiredProbe].Certificate;

        Assert.True(probe.NotAfter < DateTime.Now);
        Assert.Equal("crosscluster_verify", probe.GetNameInfo(X509NameType.SimpleName, false));
    }

    [Fact]
    public void RsaPlanIssuesRsaKeys()
    {
        var config = TopologyConfigLoader.FromStackYaml(Config.ConfigYaml.WithTopology("pki:\n  keyAlgorithm: RSA-2048"));
        var plan = PkiPlan.For(config with { Regions = [config.Regions[0]], PrimaryRegion = "eu" });

        var pki = CertificateIssuer.Issue(plan);

        using var key = pki[plan.ForRegion("eu").Server].Certificate.GetRSAPrivateKey();
        Assert.Equal(2048, key!.KeySize);
        Assert.Contains("BEGIN PRIVATE KEY", pki.Root.PrivateKeyPem, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SecretFileIsOwnerOnlyEvenWhenItExistedWider()
    {
        var path = Path.Combine(Path.GetTempPath(), $"key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            SecretFile.Write(path, "secret");

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal("secret", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (IssuedPki Pki, X509Certificate2 Probe) SignProbe(KeyAlgorithm algorithm)
    {
        var topology = TopologyConfigLoader.FromStackYaml(ConfigYaml.Valid) with { Pki = new PkiSettings { KeyAlgorithm = algorithm } };
        var pki = CertificateIssuer.Issue(PkiPlan.For(topology));
        var spec = pki.Plan.ForRegion("eu").ExpiredProbe;
        var clientCa = pki[pki.Plan.ForRegion("eu").ClientCa];
        var pem = ExpiredCertificate.Sign(spec, pki[spec].PrivateKeyPem, clientCa.CertificatePem, clientCa.PrivateKeyPem);
        return (pki, X509Certificate2.CreateFromPem(pem));
    }

    private static X509Chain ChainTrusting(X509Certificate2 root, Oid purpose)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        return chain;
    }

    private static string[] Ekus(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).ToArray();
}

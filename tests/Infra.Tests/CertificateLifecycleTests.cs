using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>Issue 12: renewal as a plain <c>pulumi up</c>, and a root rotation's phases as stack config.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class CertificateLifecycleTests
{
    private const string SelfSigned = "tls:index/selfSignedCert:SelfSignedCert";
    private const string LocallySigned = "tls:index/locallySignedCert:LocallySignedCert";
    private const string Secret = "kubernetes:core/v1:Secret";

    [Fact]
    public async Task EveryCertificateIsReplacedByAnUpdateInsideItsTiersRenewalWindow()
    {
        var deployment = await MockedDeployment.RunAsync("prod", Config("prod", pki => pki["renewBeforeDays"] = new JsonObject { ["leafDays"] = 30 }));
        var plan = deployment.Pki.Plan;

        var root = Assert.Single(deployment.Mocks.OfType(SelfSigned));
        Assert.Equal(plan.Root.RenewBefore.TotalHours, Hours(root));
        var certificates = deployment.Mocks.OfType(LocallySigned);
        Assert.Equal(plan.Certificates.Count(c => c.IssuerId is not null && !c.IsExpiredOnIssue), certificates.Count);
        foreach (var certificate in certificates)
        {
            var spec = plan.Certificates.Single(c => certificate.Name == $"{c.Region}-pki-{c.Id}-cert");
            Assert.Equal(spec.Tier == CertificateTier.Leaf ? 30 * 24 : plan.Regions[0].ServerCa.RenewBefore.TotalHours, Hours(certificate));
        }

        var windows = await OutputUtilities.GetValueAsync(deployment.Stack.RenewBeforeDays);
        Assert.Equal((plan.Root.RenewBefore.Days, plan.Regions[0].ServerCa.RenewBefore.Days, 30), (windows["root"], windows["intermediate"], windows["leaf"]));
    }

    [Fact]
    public async Task TrustNextAddsTheNextRootToEveryBundleWhileTheCurrentRootStillSigns()
    {
        var deployment = await MockedDeployment.RunAsync("prod", Config("prod", pki => pki["rootRotation"] = "trustNext"));
        var (current, next) = (deployment.Pki.Find("root-ca")!, deployment.Pki.Find("root-ca-2")!);

        Assert.Equal(["root-ca-2-cert", "root-ca-cert"], deployment.Mocks.OfType(SelfSigned).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(Intermediates(deployment), ca => Assert.Equal(current.CertificatePem, (string)Inputs.At(ca.Inputs, "caCertPem")!));
        AssertBundles(deployment, current, next);
        Assert.Equal([current.Certificate.Thumbprint, next.Certificate.Thumbprint], Roots(await OutputUtilities.GetValueAsync(deployment.Stack.RootCaCertificate)));
    }

    [Fact]
    public async Task SignWithNextReissuesTheIntermediatesUnderTheNextRootAndKeepsBothInTheBundles()
    {
        var deployment = await MockedDeployment.RunAsync("prod", Config("prod", pki => pki["rootRotation"] = "signWithNext"));
        var (current, next) = (deployment.Pki.Find("root-ca")!, deployment.Pki.Find("root-ca-2")!);

        Assert.All(Intermediates(deployment), ca =>
        {
            Assert.Equal(next.CertificatePem, (string)Inputs.At(ca.Inputs, "caCertPem")!);
            Assert.Equal(next.PrivateKeyPem, (string)Inputs.At(ca.Inputs, "caPrivateKeyPem")!);
        });
        AssertBundles(deployment, current, next);
    }

    [Fact]
    public async Task CompletingARootRotationDropsTheOldRootAndKeepsTheNextRootsResourceNames()
    {
        var deployment = await MockedDeployment.RunAsync("prod", Config("prod", pki => pki["rootGeneration"] = 2));
        var next = deployment.Pki.Find("root-ca-2")!;

        // The names trustNext gave the next root: the same URNs, so completing the rotation replaces nothing.
        Assert.Equal("root-ca-2-cert", Assert.Single(deployment.Mocks.OfType(SelfSigned)).Name);
        Assert.Contains(deployment.Mocks.OfType("tls:index/privateKey:PrivateKey"), k => k.Name == "root-ca-2-key");
        Assert.DoesNotContain(deployment.Mocks.OfType("tls:index/privateKey:PrivateKey"), k => k.Name == "root-ca-key");
        Assert.Null(deployment.Pki.Find("root-ca"));
        AssertBundles(deployment, next);
    }

    private static Dictionary<string, string> Config(string stack, Action<JsonObject> editPki)
    {
        var config = StackConfigFile.Read(stack);
        var topology = JsonNode.Parse(config[TopologyConfigLoader.ConfigKey])!.AsObject();
        var pki = topology["pki"] as JsonObject ?? [];
        topology["pki"] = pki;
        editPki(pki);
        config[TopologyConfigLoader.ConfigKey] = topology.ToJsonString();
        return config;
    }

    private static double Hours(Pulumi.Testing.MockResourceArgs certificate) => Convert.ToDouble(Inputs.At(certificate.Inputs, "earlyRenewalHours"), System.Globalization.CultureInfo.InvariantCulture);

    private static List<Pulumi.Testing.MockResourceArgs> Intermediates(MockedDeployment deployment)
    {
        var intermediates = deployment.Mocks.OfType(LocallySigned).Where(c => c.Name!.EndsWith("-ca-cert", StringComparison.Ordinal)).ToList();
        Assert.Equal(deployment.Pki.Plan.Regions.Count * 2, intermediates.Count);
        return intermediates;
    }

    // Every ca.crt of every region holds exactly the given roots.
    private static void AssertBundles(MockedDeployment deployment, params IssuedCertificate[] roots)
    {
        var bundles = deployment.Mocks.OfType(Secret)
            .Select(s => Inputs.At(s.Inputs, "stringData", "ca.crt") as string)
            .OfType<string>()
            .ToList();
        Assert.Equal(deployment.Pki.Plan.Regions.Count * 2, bundles.Count);
        Assert.All(bundles, bundle => Assert.Equal(roots.Select(r => r.Certificate.Thumbprint), Roots(bundle)));
    }

    private static List<string> Roots(string bundle)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(bundle);
        return [.. certificates.Select(c => c.Thumbprint)];
    }
}

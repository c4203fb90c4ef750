using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Infra.Components;
using CrossClusterIac.Topology.Outputs;
using Pulumi;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>Certificates and Secrets of a mocked deployment.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class PkiResourcesTests
{
    [Fact]
    public async Task NoSecretHoldsTheRootKey()
    {
        var deployment = await MockedDeployment.RunAsync("prod");
        var rootKey = deployment.Pki.Root.PrivateKeyPem;

        var secrets = deployment.Mocks.OfType("kubernetes:core/v1:Secret");
        Assert.Equal(6 * 3, secrets.Count);
        Assert.All(secrets, secret => Assert.DoesNotContain(Inputs.StringValues(Inputs.At(secret.Inputs, "stringData")), value => value.Contains(rootKey.Trim(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LeafSecretsHoldLeafPlusIntermediateAndTheLeafKey()
    {
        var deployment = await MockedDeployment.RunAsync("dev");
        var region = deployment.Pki.Plan.Regions[0];
        var server = deployment.Pki[region.Server];

        var secret = deployment.Mocks.OfType("kubernetes:core/v1:Secret").Single(s => (string?)Inputs.At(s.Inputs, "metadata", "name") == $"pg-{region.Region}-server-tls");

        Assert.Equal(server.ChainPem.Trim(), ((string)Inputs.At(secret.Inputs, "stringData", "tls.crt")!).Trim());
        Assert.Equal(server.PrivateKeyPem.Trim(), ((string)Inputs.At(secret.Inputs, "stringData", "tls.key")!).Trim());
        Assert.NotNull(Inputs.At(secret.Inputs, "metadata", "labels", "cnpg.io/reload"));
    }

    [Fact]
    public async Task EveryPrivateKeyOutputIsSecret()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var root = deployment.Resources.OfType<SharedRootCa>().Single();
        var regional = deployment.Resources.OfType<RegionalPki>().ToList();
        Assert.Equal(2, regional.Count);
        Assert.True(await Output.IsSecretAsync(root.PrivateKeyPem));
        Assert.True(await Output.IsSecretAsync(deployment.Stack.ClientKeys));
        foreach (var pki in regional)
        {
            Assert.True(await Output.IsSecretAsync(pki.PrivateKeys));
            foreach (var spec in deployment.Pki.Plan.Certificates.Where(c => c.Region is not null && pki.GetResourceName() == $"{c.Region}-pki"))
            {
                Assert.True(await Output.IsSecretAsync(pki.KeyOf(spec)), spec.Id);
                Assert.False(await Output.IsSecretAsync(pki.ChainOf(spec)), spec.Id);
            }
        }

        Assert.Equal(deployment.Pki.Root.PrivateKeyPem, await OutputUtilities.GetValueAsync(root.PrivateKeyPem));
    }

    [Fact]
    public async Task IntermediatesAreCasAndLeavesAreNot()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var certificates = deployment.Mocks.OfType("tls:index/locallySignedCert:LocallySignedCert");
        Assert.Equal(deployment.Pki.Plan.Certificates.Count(c => c.IssuerId is not null && !c.IsExpiredOnIssue), certificates.Count);
        foreach (var certificate in certificates)
        {
            var isCa = certificate.Name!.EndsWith("-ca-cert", StringComparison.Ordinal);
            var uses = Inputs.Items(Inputs.At(certificate.Inputs, "allowedUses")).OfType<string>().ToList();
            Assert.Equal(isCa, Inputs.At(certificate.Inputs, "isCaCertificate") is true);
            Assert.Equal(isCa, uses.Contains("cert_signing"));
            Assert.True(uses.Contains("server_auth") ^ uses.Contains("client_auth"), certificate.Name);
        }
    }

    [Fact]
    public async Task RootAllowsOneCaBelowItAndIntermediatesNone()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var root = Assert.Single(deployment.Mocks.OfType("tls:index/selfSignedCert:SelfSignedCert"));
        Assert.Equal(1, Convert.ToInt32(Inputs.At(root.Inputs, "maxPathLength")));
        foreach (var certificate in deployment.Mocks.OfType("tls:index/locallySignedCert:LocallySignedCert"))
        {
            var pathLength = Inputs.At(certificate.Inputs, "maxPathLength");
            if (certificate.Name!.EndsWith("-ca-cert", StringComparison.Ordinal))
            {
                Assert.Equal(0, Convert.ToInt32(pathLength));
            }
            else
            {
                Assert.Null(pathLength);
            }
        }
    }

    [Fact]
    public async Task ExpiredProbeIsSignedByTheProgramUnderTheClientCaAndExpired()
    {
        var deployment = await MockedDeployment.RunAsync("dev");
        var regions = await OutputUtilities.GetValueAsync(deployment.Stack.Regions);

        Assert.DoesNotContain(deployment.Mocks.OfType("tls:index/locallySignedCert:LocallySignedCert"), c => c.Name!.Contains("expired-probe", StringComparison.Ordinal));
        Assert.False(await Output.IsSecretAsync(deployment.Stack.Regions));
        foreach (var region in regions)
        {
            var clients = (IReadOnlyDictionary<string, object>)region["clients"];
            var chain = (string)((IReadOnlyDictionary<string, object>)clients[ClientNames.ExpiredProbe])["certificateChain"];
            using var probe = X509Certificate2.CreateFromPem(chain);
            using var clientCa = X509Certificate2.CreateFromPem((string)region["clientCaCertificate"]);

            Assert.True(probe.NotAfter < DateTime.Now);
            Assert.Equal(clientCa.Subject, probe.Issuer);
            Assert.EndsWith(((string)region["clientCaCertificate"]).Trim(), chain.Trim(), StringComparison.Ordinal);
        }
    }
}

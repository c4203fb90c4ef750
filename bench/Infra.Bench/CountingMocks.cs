using System.Collections.Immutable;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi.Testing;

namespace CrossClusterIac.Bench.Infra;

/// <summary>
/// An engine double that echoes inputs and answers every TLS key and certificate with one key and one CA
/// certificate issued up front, so the benchmark measures the program and the runtime, not key generation.
/// </summary>
internal sealed class CountingMocks : IMocks
{
    private static readonly IssuedCertificate Issued = IssueOnce();
    private int _resources;

    /// <summary>Resources registered so far.</summary>
    public int Resources => _resources;

    /// <inheritdoc />
    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Interlocked.Increment(ref _resources);
        var state = args.Inputs.ToBuilder();
        switch (args.Type)
        {
            case "tls:index/privateKey:PrivateKey":
                state["privateKeyPem"] = state["privateKeyPemPkcs8"] = Issued.PrivateKeyPem;
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = "-----BEGIN CERTIFICATE REQUEST-----\nbench\n-----END CERTIFICATE REQUEST-----\n";
                break;
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                state["certPem"] = Issued.CertificatePem;
                break;
        }

        return Task.FromResult<(string?, object)>(($"{args.Name}-id", state.ToImmutable()));
    }

    private static IssuedCertificate IssueOnce()
    {
        var pki = CertificateIssuer.Issue(PkiPlan.For(new TopologyConfig
        {
            PrimaryRegion = "r0",
            Regions = [new RegionConfig { Name = "r0", Exposure = new ExposureConfig { Address = "10.0.0.1" } }],
        }));
        return pki[pki.Plan.ForRegion("r0").ClientCa];
    }

    /// <inheritdoc />
    public Task<object> CallAsync(MockCallArgs args) =>
        throw new InvalidOperationException($"The program made an unexpected invoke: {args.Token}.");
}

using System.Collections.Immutable;
using Pulumi.Testing;

namespace CrossClusterIac.Bench.Infra;

/// <summary>
/// An engine double that echoes inputs and answers TLS outputs with fixed PEM-shaped text, so the benchmark
/// measures the program and the runtime, not certificate generation.
/// </summary>
internal sealed class CountingMocks : IMocks
{
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
                state["privateKeyPem"] = state["privateKeyPemPkcs8"] = "-----BEGIN PRIVATE KEY-----\nbench\n-----END PRIVATE KEY-----\n";
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = "-----BEGIN CERTIFICATE REQUEST-----\nbench\n-----END CERTIFICATE REQUEST-----\n";
                break;
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                state["certPem"] = "-----BEGIN CERTIFICATE-----\nbench\n-----END CERTIFICATE-----\n";
                break;
        }

        return Task.FromResult<(string?, object)>(($"{args.Name}-id", state.ToImmutable()));
    }

    /// <inheritdoc />
    public Task<object> CallAsync(MockCallArgs args) =>
        throw new InvalidOperationException($"The program made an unexpected invoke: {args.Token}.");
}

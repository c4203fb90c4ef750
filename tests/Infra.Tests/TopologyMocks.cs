using System.Collections.Concurrent;
using System.Collections.Immutable;
using CrossClusterIac.Topology.Pki;
using Moq;
using Pulumi.Testing;

namespace CrossClusterIac.Tests.Infra;

/// <summary>
/// A strict engine double: answers the resource types the program is meant to create, with certificate and key
/// PEMs issued by the core's <see cref="CertificateIssuer"/> so outputs look like a real deployment's, and fails on
/// any other type or any invoke. It records every registration for the assertions.
/// </summary>
internal sealed class TopologyMocks
{
    private readonly IssuedPki _pki;

    public TopologyMocks(IssuedPki pki)
    {
        _pki = pki;
        Engine = new Mock<IMocks>(MockBehavior.Strict);
        Engine.Setup(m => m.NewResourceAsync(It.IsAny<MockResourceArgs>()))
            .ReturnsAsync((MockResourceArgs args) => Respond(args));
        Engine.Setup(m => m.RegisterResourceOutputs(It.IsAny<MockRegisterResourceOutputsRequest>()))
            .Returns(Task.CompletedTask);
    }

    /// <summary>The mock handed to the Pulumi runtime.</summary>
    public Mock<IMocks> Engine { get; }

    /// <summary>Every resource the program registered, in order.</summary>
    public ConcurrentQueue<MockResourceArgs> Registered { get; } = new();

    /// <summary>The resources of one type.</summary>
    public List<MockResourceArgs> OfType(string type) => Registered.Where(r => r.Type == type).ToList();

    private (string? Id, object State) Respond(MockResourceArgs args)
    {
        Registered.Enqueue(args);
        var name = args.Name!;
        var state = args.Inputs.ToBuilder();
        switch (args.Type)
        {
            case "tls:index/privateKey:PrivateKey":
                var key = Issued(name, "key").PrivateKeyPem;
                state["privateKeyPem"] = key;
                state["privateKeyPemPkcs8"] = key;
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = $"-----BEGIN CERTIFICATE REQUEST-----\n{Issued(name, "csr").Spec.Id}\n-----END CERTIFICATE REQUEST-----\n";
                break;
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                state["certPem"] = Issued(name, "cert").CertificatePem;
                break;
            case "pulumi:providers:kubernetes":
            case "kubernetes:core/v1:Secret":
            case "kubernetes:core/v1:Service":
            case "kubernetes:discovery.k8s.io/v1:EndpointSlice":
            case "kubernetes:postgresql.cnpg.io/v1:Cluster":
            case "kubernetes:postgresql.cnpg.io/v1:Pooler":
            case "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup":
            case "kubernetes:barmancloud.cnpg.io/v1:ObjectStore":
                break;
            case "crosscluster:index:SharedRootCa":
            case "crosscluster:index:RegionalPki":
            case "crosscluster:index:CnpgReplicaCluster":
            case "crosscluster:index:CrossClusterEndpoint":
                return (null, ImmutableDictionary<string, object>.Empty);
            default:
                throw new InvalidOperationException($"Unexpected resource type '{args.Type}' ({name}).");
        }

        return ($"{name}-id", state.ToImmutable());
    }

    private IssuedCertificate Issued(string resourceName, string suffix)
    {
        var match = _pki.All.FirstOrDefault(c => resourceName == (c.Spec.Region is null ? $"{c.Spec.Id}-{suffix}" : $"{c.Spec.Region}-pki-{c.Spec.Id}-{suffix}"));
        return match ?? throw new InvalidOperationException($"No certificate of the plan is named by TLS resource '{resourceName}'.");
    }
}

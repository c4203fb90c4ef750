using System.Collections.Concurrent;
using System.Collections.Immutable;
using CrossClusterIac.Topology.Pki;
using Moq;
using Pulumi.Testing;

namespace CrossClusterIac.Tests.Infra;

/// <summary>
/// A strict engine double: answers the resource types the program is meant to create, with certificate and key
/// PEMs issued by the core's <see cref="CertificateIssuer"/> so outputs look like a real deployment's, answers the
/// node-address lookup with an address per kube context, and fails on any other type or invoke. It records every
/// registration and invoke for the assertions.
/// </summary>
internal sealed class TopologyMocks
{
    private int _nodes;

    public TopologyMocks(IssuedPki pki)
    {
        Pki = pki;
        Engine = new Mock<IMocks>(MockBehavior.Strict);
        Engine.Setup(m => m.NewResourceAsync(It.IsAny<MockResourceArgs>()))
            .ReturnsAsync((MockResourceArgs args) => Respond(args));
        Engine.Setup(m => m.RegisterResourceOutputs(It.IsAny<MockRegisterResourceOutputsRequest>()))
            .Returns(Task.CompletedTask);
        Engine.Setup(m => m.CallAsync(It.IsAny<MockCallArgs>()))
            .ReturnsAsync((MockCallArgs args) => (object)Answer(args));
    }

    /// <summary>The IPv4 address each kube context's first node reported, one of its own per context.</summary>
    public ConcurrentDictionary<string, string> NodeAddresses { get; } = new();

    /// <summary>Kube contexts whose cluster does not answer: kubectl fails there.</summary>
    public ConcurrentBag<string> UnreachableContexts { get; } = [];

    /// <summary>The certificates and keys the mocks answer with.</summary>
    public IssuedPki Pki { get; }

    /// <summary>Whether load balancers report hostnames (as AWS's do) rather than IP addresses.</summary>
    public bool LoadBalancersReportHostnames { get; init; } = true;

    /// <summary>The address each LoadBalancer Service's status reports, by resource name.</summary>
    public ConcurrentDictionary<string, string> LoadBalancerAddresses { get; } = new();

    /// <summary>The outputs the stack's last deployment left, which a StackReference to it reads; none for a new stack.</summary>
    public ImmutableDictionary<string, object> PreviousOutputs { get; set; } = ImmutableDictionary<string, object>.Empty;

    /// <summary>The mock handed to the Pulumi runtime.</summary>
    public Mock<IMocks> Engine { get; }

    /// <summary>Every resource the program registered, in order.</summary>
    public ConcurrentQueue<MockResourceArgs> Registered { get; } = new();

    /// <summary>Every invoke the program made, in order.</summary>
    public ConcurrentQueue<MockCallArgs> Calls { get; } = new();

    /// <summary>The kube context a node-address lookup runs kubectl against.</summary>
    public static string KubeContextOf(MockCallArgs call)
    {
        var argv = Inputs.Items(Inputs.At(call.Args, "interpreter")).OfType<string>().ToList();
        return argv[argv.IndexOf("--context") + 1];
    }

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
                var certificate = Issued(name, "cert");
                state["certPem"] = certificate.CertificatePem;
                state["validityEndTime"] = certificate.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "kubernetes:core/v1:Service" when (string?)Inputs.At(args.Inputs, "spec", "type") == "LoadBalancer":
                // What a cloud's controller writes once it has a load balancer (Pulumi awaits it before going on).
                state["status"] = ImmutableDictionary<string, object>.Empty.Add("loadBalancer", ImmutableDictionary<string, object>.Empty
                    .Add("ingress", ImmutableArray.Create<object>(LoadBalancerIngress(name))));
                break;
            case "pulumi:pulumi:StackReference":
                // The engine's answer: the named stack's outputs as its last deployment left them (builtins.go readStackReference).
                state["outputs"] = PreviousOutputs;
                state["secretOutputNames"] = ImmutableArray<object>.Empty;
                break;
            case "pulumi:providers:kubernetes":
            case "kubernetes:core/v1:Namespace":
            case "kubernetes:core/v1:Secret":
            case "kubernetes:core/v1:Service":
            case "kubernetes:postgresql.cnpg.io/v1:Backup":
            case "command:local:Command":
            case "kubernetes:discovery.k8s.io/v1:EndpointSlice":
            case "kubernetes:postgresql.cnpg.io/v1:Cluster":
            case "kubernetes:postgresql.cnpg.io/v1:Pooler":
            case "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup":
            case "kubernetes:barmancloud.cnpg.io/v1:ObjectStore":
            case "kubernetes:core/v1:ConfigMap":
            case "kubernetes:monitoring.coreos.com/v1:PodMonitor":
            case "kubernetes:monitoring.coreos.com/v1:PrometheusRule":
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

    private ImmutableDictionary<string, object> LoadBalancerIngress(string resource)
    {
        var address = LoadBalancerAddresses.GetOrAdd(resource, name => LoadBalancersReportHostnames
            ? $"internal-{name}.elb.example.com"
            : $"10.9.{LoadBalancerAddresses.Count / 250}.{(LoadBalancerAddresses.Count % 250) + 1}");
        return ImmutableDictionary<string, object>.Empty.Add(LoadBalancersReportHostnames ? "hostname" : "ip", address);
    }

    private ImmutableDictionary<string, object> Answer(MockCallArgs args)
    {
        Calls.Enqueue(args);
        if (args.Token != "command:local:run")
        {
            throw new InvalidOperationException($"Unexpected invoke '{args.Token}'.");
        }

        var context = KubeContextOf(args);
        if (UnreachableContexts.Contains(context))
        {
            // kubectl's own words for a cluster whose API does not answer; local.run fails the invoke on a non-zero exit.
            throw new InvalidOperationException($"exit status 1: Unable to connect to the server: dial tcp: i/o timeout (context {context})");
        }

        return ImmutableDictionary<string, object>.Empty
            .Add("command", Inputs.At(args.Args, "command")!)
            .Add("stdout", $"fd00::10 {NodeAddresses.GetOrAdd(context, _ => $"192.0.2.{10 + Interlocked.Increment(ref _nodes)}")}")
            .Add("stderr", string.Empty);
    }

    private IssuedCertificate Issued(string resourceName, string suffix)
    {
        var match = Pki.All.FirstOrDefault(c => resourceName == (c.Spec.Region is null ? $"{c.Spec.Id}-{suffix}" : $"{c.Spec.Region}-pki-{c.Spec.Id}-{suffix}"));
        return match ?? throw new InvalidOperationException($"No certificate of the plan is named by TLS resource '{resourceName}'.");
    }
}

using System.Net;
using System.Net.Sockets;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CrossClusterEndpoint"/>.</summary>
public sealed record CrossClusterEndpointArgs
{
    /// <summary>Name of the remote region's service, reused locally (e.g. <c>pg-eu-rw</c>).</summary>
    public required string ServiceName { get; init; }

    /// <summary>Namespace of the local Service.</summary>
    public required string Namespace { get; init; }

    /// <summary>Port local clients use (the port of the remote service inside its own cluster).</summary>
    public required int Port { get; init; }

    /// <summary>The remote region's exposed address (node or load balancer; IP or DNS name).</summary>
    public required string RemoteAddress { get; init; }

    /// <summary>The remote region's exposed port.</summary>
    public required int RemotePort { get; init; }

    /// <summary>Provider of the region the endpoint is created in (not the remote one).</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// In one region, a selector-less Service named like a remote region's service and an EndpointSlice to that
/// region's exposed address, so connection strings and server-certificate names are the same in every region.
/// </summary>
public sealed class CrossClusterEndpoint : ComponentResource
{
    private const string PortName = "postgres";

    /// <summary>Creates the Service and its EndpointSlice.</summary>
    public CrossClusterEndpoint(string name, CrossClusterEndpointArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CrossClusterEndpoint", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var childOptions = new CustomResourceOptions { Parent = this, Provider = args.Provider };
        var service = new K8s.Core.V1.Service($"{name}-service", new K8s.Types.Inputs.Core.V1.ServiceArgs
        {
            Metadata = new K8s.Types.Inputs.Meta.V1.ObjectMetaArgs { Name = args.ServiceName, Namespace = args.Namespace },
            Spec = new K8s.Types.Inputs.Core.V1.ServiceSpecArgs
            {
                Type = "ClusterIP",
                Ports =
                {
                    new K8s.Types.Inputs.Core.V1.ServicePortArgs
                    {
                        Name = PortName,
                        Protocol = "TCP",
                        Port = args.Port,
                        TargetPort = args.RemotePort,
                    },
                },
            },
        }, childOptions);

        _ = new K8s.Discovery.V1.EndpointSlice($"{name}-endpoints", new K8s.Types.Inputs.Discovery.V1.EndpointSliceArgs
        {
            Metadata = new K8s.Types.Inputs.Meta.V1.ObjectMetaArgs
            {
                Name = $"{args.ServiceName}-remote",
                Namespace = args.Namespace,
                // The service-name label is what ties a slice to a selector-less Service.
                Labels = { { "kubernetes.io/service-name", args.ServiceName }, { "endpointslice.kubernetes.io/managed-by", "crosscluster-iac" } },
            },
            AddressType = AddressType(args.RemoteAddress),
            Endpoints = { new K8s.Types.Inputs.Discovery.V1.EndpointArgs { Addresses = { args.RemoteAddress } } },
            Ports = { new K8s.Types.Inputs.Discovery.V1.EndpointPortArgs { Name = PortName, Protocol = "TCP", Port = args.RemotePort } },
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { service } });

        ServiceName = Output.Create(args.ServiceName);
        RemoteAddress = Output.Create($"{args.RemoteAddress}:{args.RemotePort}");
        RegisterOutputs();
    }

    /// <summary>Local name of the remote service.</summary>
    [Output("serviceName")]
    public Output<string> ServiceName { get; private set; }

    /// <summary>Address and port the local service forwards to.</summary>
    [Output("remoteAddress")]
    public Output<string> RemoteAddress { get; private set; }

    private static string AddressType(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4"
            : "FQDN";
}

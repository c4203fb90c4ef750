using CrossClusterIac.Topology.Manifests;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CrossClusterEndpoint"/>.</summary>
public sealed record CrossClusterEndpointArgs
{
    /// <summary>The selector-less Service named like the remote region's service (e.g. <c>pg-eu-rw</c>).</summary>
    public required Manifest Service { get; init; }

    /// <summary>The EndpointSlice that points it at the remote region's exposed address.</summary>
    public required Manifest EndpointSlice { get; init; }

    /// <summary>The remote region's address when it is discovered at deploy time; otherwise the EndpointSlice's own.</summary>
    public Input<string>? DiscoveredAddress { get; init; }

    /// <summary>Provider of the region the endpoint is created in (not the remote one).</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// In one region, a selector-less Service named like a remote region's service and an EndpointSlice to that
/// region's exposed address, so connection strings and server-certificate names are the same in every region.
/// </summary>
public sealed class CrossClusterEndpoint : ComponentResource
{
    /// <summary>Creates the Service and its EndpointSlice.</summary>
    public CrossClusterEndpoint(string name, CrossClusterEndpointArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CrossClusterEndpoint", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var service = new K8s.Core.V1.Service($"{name}-service", ManifestInputs.Service(args.Service), new CustomResourceOptions { Parent = this, Provider = args.Provider });
        _ = new K8s.Discovery.V1.EndpointSlice($"{name}-endpoints", ManifestInputs.EndpointSlice(args.EndpointSlice, args.DiscoveredAddress), new CustomResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = { service },
        });

        ServiceName = Output.Create(args.Service.Name);
        RegisterOutputs();
    }

    /// <summary>Local name of the remote service.</summary>
    [Output("serviceName")]
    public Output<string> ServiceName { get; private set; }
}

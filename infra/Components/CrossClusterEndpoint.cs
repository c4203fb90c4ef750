using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CrossClusterEndpoint"/>.</summary>
public sealed record CrossClusterEndpointArgs
{
    /// <summary>The twin to declare: the remote service's name, port and shape.</summary>
    public required RemoteEndpoint Endpoint { get; init; }

    /// <summary>The remote region's address for that service (a node's, or its load balancer's status).</summary>
    public required Output<string> Address { get; init; }

    /// <summary>What must exist first in the local region (its namespace).</summary>
    public required IReadOnlyList<Resource> DependsOn { get; init; }

    /// <summary>Provider of the region the endpoint is created in (not the remote one).</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// In one region, a twin of a remote region's service, with the same name, so connection strings and
/// server-certificate names are the same in every region: a selector-less Service with an IPv4/IPv6
/// EndpointSlice to the remote address, or an ExternalName Service where the remote address is a DNS name.
/// </summary>
public sealed class CrossClusterEndpoint : ComponentResource
{
    /// <summary>Creates the Service and, for an IP address, its EndpointSlice.</summary>
    public CrossClusterEndpoint(string name, CrossClusterEndpointArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CrossClusterEndpoint", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var endpoint = args.Endpoint;
        // The shape is fixed by config, so the resources are the same in every preview; only the address waits for
        // the remote region. A twin made for a placeholder of the right kind gives every other field.
        var address = args.Address.Apply(text => Checked(endpoint, text));
        var placeholder = ExposureAddress.Parse(endpoint.Shape == TwinShape.ExternalName ? "remote.invalid" : "192.0.2.1");
        var twin = ManifestInputs.Service(endpoint.Twin(placeholder), endpoint.Shape == TwinShape.ExternalName ? (Input<string>)address.Apply(a => a.Value) : null);
        var service = new K8s.Core.V1.Service($"{name}-service", twin, new CustomResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = args.DependsOn.ToList(),
        });
        if (endpoint.Slice(placeholder) is { } slice)
        {
            _ = new K8s.Discovery.V1.EndpointSlice($"{name}-endpoints", ManifestInputs.EndpointSlice(slice, address, endpoint.SliceName), new CustomResourceOptions
            {
                Parent = this,
                Provider = args.Provider,
                DependsOn = { service },
            });
        }

        ServiceName = Output.Create(endpoint.Name);
        RegisterOutputs();
    }

    /// <summary>Local name of the remote service.</summary>
    [Output("serviceName")]
    public Output<string> ServiceName { get; private set; }

    private static ExposureAddress Checked(RemoteEndpoint endpoint, string text)
    {
        try
        {
            var address = ExposureAddress.Parse(text);
            endpoint.Require(address);
            return address;
        }
        catch (Exception e) when (e is FormatException or ExposureAddressException)
        {
            // A config mistake, reported as its message alone.
            throw new RunException(e.Message);
        }
    }
}

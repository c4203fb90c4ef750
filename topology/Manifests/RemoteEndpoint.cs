using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>One of a region's two exposed services.</summary>
public enum ExposedService
{
    /// <summary>The rw instance (CNPG's <c>&lt;cluster&gt;-rw</c>).</summary>
    ReadWrite,

    /// <summary>The read-write pooler.</summary>
    Pooler,
}

/// <summary>How a twin reaches a remote address.</summary>
public enum TwinShape
{
    /// <summary>A selector-less ClusterIP Service with an IPv4/IPv6 EndpointSlice: kube-proxy maps port 5432 to the remote port.</summary>
    EndpointSlice,

    /// <summary>An ExternalName Service: cluster DNS answers with a CNAME to the remote name, and the client dials it on 5432.</summary>
    ExternalName,
}

/// <summary>
/// A twin, in a local cluster, of a remote region's exposed service: same name, so the name dialled is the one in
/// the remote server certificate and verify-full holds in every region. Its shape is fixed by the remote region's
/// config; its address is known only once the remote region has one (a node's, or its load balancer's status), so
/// the manifests are made for a given address.
/// </summary>
/// <param name="Region">The remote region.</param>
/// <param name="Service">Which of its services.</param>
/// <param name="Name">The remote service's name, e.g. <c>pg-eu-rw</c>.</param>
/// <param name="Namespace">The namespace (the same in every region).</param>
/// <param name="Port">The port the remote region exposes the service on.</param>
/// <param name="Shape">How the twin reaches it.</param>
public sealed record RemoteEndpoint(string Region, ExposedService Service, string Name, string Namespace, int Port, TwinShape Shape)
{
    /// <summary>The port name of every exposure and twin.</summary>
    public const string PortName = "postgres";

    /// <summary>The twin Service for <paramref name="address"/>.</summary>
    /// <exception cref="ExposureAddressException">The address is not of the kind the shape needs.</exception>
    public Manifest Twin(ExposureAddress address)
    {
        Require(address);
        var port = new Dictionary<string, object?> { ["name"] = PortName, ["protocol"] = "TCP", ["port"] = ExposureConfig.PostgresPort };
        var spec = new Dictionary<string, object?>();
        if (Shape == TwinShape.ExternalName)
        {
            // Kubernetes serves an ExternalName Service as a DNS CNAME only: no proxying, so no port mapping (the
            // validator holds such exposures to 5432); the port is documentation.
            spec["type"] = "ExternalName";
            spec["externalName"] = address.Value;
        }
        else
        {
            spec["type"] = "ClusterIP";
            port["targetPort"] = Port;
        }

        spec["ports"] = new object?[] { port };
        return Objects.Create("v1", "Service", Name, Namespace, new() { ["spec"] = spec });
    }

    /// <summary>The EndpointSlice that backs an <see cref="TwinShape.EndpointSlice"/> twin; <c>null</c> for an ExternalName twin.</summary>
    /// <exception cref="ExposureAddressException">The address is not of the kind the shape needs.</exception>
    public Manifest? Slice(ExposureAddress address)
    {
        Require(address);
        if (Shape == TwinShape.ExternalName)
        {
            return null;
        }

        return Objects.Create("discovery.k8s.io/v1", "EndpointSlice", SliceName(address), Namespace, new()
        {
            // "kube-proxy only processes slices of addressType IPv4 and IPv6" (k8s.io/api discovery/v1 types.go,
            // EndpointSlice.AddressType): FQDN is never emitted.
            ["addressType"] = address.AddressType,
            ["endpoints"] = new object?[]
            {
                new Dictionary<string, object?>
                {
                    ["addresses"] = new object?[] { address.Value },
                    ["conditions"] = new Dictionary<string, object?> { ["ready"] = true },
                },
            },
            ["ports"] = new object?[]
            {
                new Dictionary<string, object?> { ["name"] = PortName, ["protocol"] = "TCP", ["port"] = Port },
            },
        }, new Dictionary<string, string>
        {
            // Binds the slice to the Service of the same name; the managed-by value keeps the endpoint controller off it.
            ["kubernetes.io/service-name"] = Name,
            ["endpointslice.kubernetes.io/managed-by"] = "crosscluster-iac",
        });
    }

    /// <summary>
    /// The slice's name for <paramref name="address"/>: one per address type, since the API server refuses to change a
    /// slice's addressType in place (kubernetes/kubernetes pkg/apis/discovery/validation ValidateEndpointSliceUpdate:
    /// "field is immutable") and pulumi-kubernetes would update it in place (provider/pkg/provider/diff.go lists nothing
    /// for EndpointSlice): an exposure that moves from IPv4 to IPv6 gets a new slice and loses the old one.
    /// </summary>
    public string SliceName(ExposureAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Kind == AddressKind.IPv6 ? $"{Name}-remote-ipv6" : $"{Name}-remote";
    }

    /// <summary>The twin and, for an EndpointSlice twin, its slice.</summary>
    public IEnumerable<Manifest> For(ExposureAddress address) => Slice(address) is { } slice ? [Twin(address), slice] : [Twin(address)];

    /// <summary>Throws unless <paramref name="address"/> is of the kind this twin's shape needs.</summary>
    /// <exception cref="ExposureAddressException">It is not.</exception>
    public void Require(ExposureAddress address)
    {
        var fits = Shape == TwinShape.ExternalName ? address.Kind == AddressKind.Hostname : address.Kind != AddressKind.Hostname;
        if (!fits)
        {
            throw new ExposureAddressException(Region, Service, Shape == TwinShape.ExternalName
                ? $"'{address}' is an IP address, but region {Region}'s exposure says its load balancer reports a hostname (loadBalancer.ingress: hostname); set loadBalancer.ingress: ip"
                : $"'{address}' is a DNS name, and kube-proxy routes only IP EndpointSlices; for a load balancer that reports a hostname, set region {Region}'s exposure.loadBalancer.ingress: hostname");
        }
    }
}

/// <summary>An exposure address that the twin of a remote service cannot use.</summary>
public sealed class ExposureAddressException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExposureAddressException(string region, ExposedService service, string message)
        : base($"region {region}, {(service == ExposedService.ReadWrite ? "rw" : "pooler")} address: {message}.")
    {
        Region = region;
        Service = service;
    }

    /// <summary>The region whose address it is.</summary>
    public string Region { get; }

    /// <summary>Which of its services.</summary>
    public ExposedService Service { get; }
}

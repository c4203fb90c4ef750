using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Topology.Config;
using Pulumi;
using Pulumi.Command.Local;

namespace CrossClusterIac.Infra.Stacks;

/// <summary>
/// The address of a NodePort region whose config says <c>auto</c>: the first node's InternalIP, read with
/// kubectl at deploy time (preview included), since no Kubernetes resource can declare it.
/// </summary>
internal static class NodeAddress
{
    private const string InternalIpPath = "jsonpath={.items[0].status.addresses[?(@.type==\"InternalIP\")].address}";

    /// <summary>Reads the address of <paramref name="region"/>'s first node.</summary>
    public static Output<string> Discover(RegionConfig region, int index) =>
        Run.Invoke(new RunInvokeArgs
        {
            // kubectl is the interpreter and the JSONPath its last argument: no shell ever parses the context name.
            Interpreter = { "kubectl", "--context", region.KubeContext!, "get", "nodes", "--output" },
            Command = InternalIpPath,
        }).Apply(result => Parse(result.Stdout, region, index));

    private static string Parse(string stdout, RegionConfig region, int index)
    {
        // A dual-stack node lists one InternalIP per family; the EndpointSlice is IPv4.
        var address = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(a => IPAddress.TryParse(a, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork);
        return address ?? throw new RunException(
            $"topology.regions[{index}].exposure.address is '{ExposureConfig.DiscoveredAddress}', but the nodes of kube context " +
            $"'{region.KubeContext}' show no IPv4 InternalIP (kubectl printed '{stdout.Trim()}'); set the node address explicitly.");
    }
}

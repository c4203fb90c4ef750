using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using Pulumi;
using Pulumi.Command.Local;

namespace CrossClusterIac.Infra.Stacks;

/// <summary>
/// The address of a NodePort region whose config says <c>auto</c>: the first node's InternalIP, read with
/// kubectl at deploy time (preview included: <c>local.run</c> is an invoke), since no Kubernetes resource can declare it.
/// </summary>
internal static class NodeAddress
{
    /// <summary>Reads the address of <paramref name="region"/>'s first node.</summary>
    public static Output<string> Discover(RegionConfig region, int index)
    {
        var arguments = AddressQueries.NodeAddress(region.KubeContext!);
        return Run.Invoke(new RunInvokeArgs
        {
            // kubectl is the interpreter and the JSONPath its last argument: no shell ever parses the context name.
            Interpreter = ["kubectl", .. arguments.SkipLast(1)],
            Command = arguments[^1],
        }).Apply(result => AddressQueries.ParseNodeAddress(result.Stdout)?.Value ?? throw new RunException(
            $"topology.regions[{index}].exposure.address is '{ExposureConfig.DiscoveredAddress}', but the nodes of kube context " +
            $"'{region.KubeContext}' show no IPv4 InternalIP (kubectl printed '{result.Stdout.Trim()}'); set the node address explicitly."));
    }
}

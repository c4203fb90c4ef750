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
    /// <summary>
    /// Reads the address of <paramref name="region"/>'s first node; when its cluster does not answer (a region that is
    /// gone, during the failover away from it), the address <paramref name="lastKnown"/> the last deployment exported,
    /// with a warning, so that one dead region does not stop the update of the others.
    /// </summary>
    public static Output<string> Discover(RegionConfig region, int index, string? lastKnown) => Output.Create(DiscoverAsync(region, index, lastKnown));

    private static async Task<string> DiscoverAsync(RegionConfig region, int index, string? lastKnown)
    {
        var arguments = AddressQueries.NodeAddress(region.KubeContext!);
        RunResult result;
        try
        {
            result = await Run.InvokeAsync(new RunArgs
            {
                // kubectl is the interpreter and the JSONPath its last argument: no shell ever parses the context name.
                Interpreter = ["kubectl", .. arguments.SkipLast(1)],
                Command = arguments[^1],
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (lastKnown is null)
            {
                throw new RunException(
                    $"topology.regions[{index}].exposure.address is '{ExposureConfig.DiscoveredAddress}', and kubectl could not read the nodes of kube context " +
                    $"'{region.KubeContext}' ({e.Message}); no earlier deployment exported one to fall back to: set the node address explicitly.");
            }

            Log.Warn($"region {region.Name}: kubectl could not read the nodes of kube context '{region.KubeContext}' ({e.Message}); using the address the last deployment exported, {lastKnown}.");
            return lastKnown;
        }

        return AddressQueries.ParseNodeAddress(result.Stdout)?.Value ?? throw new RunException(
            $"topology.regions[{index}].exposure.address is '{ExposureConfig.DiscoveredAddress}', but the nodes of kube context " +
            $"'{region.KubeContext}' show no IPv4 InternalIP (kubectl printed '{result.Stdout.Trim()}'); set the node address explicitly.");
    }
}

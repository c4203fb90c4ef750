using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Render;

/// <summary>
/// The addresses the twins of a render point at: a NodePort region's configured IP, else what <c>--address</c>
/// says, else (with <c>--resolve</c>) what kubectl reads as the Pulumi program would. What stays unknown is a
/// problem naming the region and the option, never a placeholder an API server would refuse.
/// </summary>
internal sealed partial class RenderAddresses
{
    private readonly Dictionary<(string Region, ExposedService Service), ExposureAddress> _known = [];

    private RenderAddresses()
    {
    }

    /// <summary>Every problem found while collecting the addresses; empty when each twin has one.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The address of a remote endpoint (collected beforehand for every twin).</summary>
    public ExposureAddress Of(RemoteEndpoint endpoint) => _known[(endpoint.Region, endpoint.Service)];

    /// <summary>Collects the address of every twin's remote service.</summary>
    public static async Task<RenderAddresses> CollectAsync(TopologyConfig topology, IReadOnlyList<RegionManifests> regions, IReadOnlyList<string> given, bool resolve, CancellationToken cancellationToken)
    {
        var addresses = new RenderAddresses();
        var supplied = addresses.ParseGiven(topology, given);
        foreach (var endpoint in regions.SelectMany(r => r.RemoteEndpoints).DistinctBy(e => (e.Region, e.Service)))
        {
            var region = topology.Regions.Single(r => r.Name == endpoint.Region);
            var address = supplied.GetValueOrDefault((endpoint.Region, endpoint.Service)) ?? Configured(region)
                ?? (resolve ? await addresses.ResolveAsync(topology, region, endpoint, cancellationToken) : null);
            if (address is not null)
            {
                addresses._known[(endpoint.Region, endpoint.Service)] = address;
            }
            else if (!resolve)
            {
                addresses.Problems.Add($"region {endpoint.Region}'s {Describe(endpoint.Service)} address is not known before deployment ({Why(region)}); " +
                    $"pass --address {endpoint.Region}=ADDRESS (or {endpoint.Region}.{Key(endpoint.Service)}=ADDRESS), or --resolve to read it with kubectl from context '{region.KubeContext}'.");
            }
        }

        return addresses;
    }

    private Dictionary<(string, ExposedService), ExposureAddress> ParseGiven(TopologyConfig topology, IReadOnlyList<string> given)
    {
        var supplied = new Dictionary<(string, ExposedService), ExposureAddress>();
        foreach (var entry in given)
        {
            var match = AddressOption().Match(entry);
            if (!match.Success)
            {
                Problems.Add($"--address '{entry}': expected REGION=ADDRESS or REGION.rw=ADDRESS or REGION.pooler=ADDRESS, e.g. eu=10.0.0.5.");
                continue;
            }

            var region = match.Groups["region"].Value;
            if (topology.Regions.All(r => r.Name != region))
            {
                Problems.Add($"--address '{entry}': '{region}' is not a region of this stack; use one of: {string.Join(", ", topology.Regions.Select(r => r.Name))}.");
                continue;
            }

            if (!ExposureAddress.TryParse(match.Groups["address"].Value, out var address, out var problem))
            {
                Problems.Add($"--address '{entry}': '{match.Groups["address"].Value}' {problem}.");
                continue;
            }

            if (address.NotRoutable is { } special)
            {
                Problems.Add($"--address '{entry}': '{address}' {special}, which Kubernetes refuses in an EndpointSlice and no other region reaches; give the address other regions dial.");
                continue;
            }

            var services = match.Groups["service"].Value switch
            {
                "rw" => [ExposedService.ReadWrite],
                "pooler" => [ExposedService.Pooler],
                _ => new[] { ExposedService.ReadWrite, ExposedService.Pooler },
            };
            foreach (var service in services)
            {
                supplied[(region, service)] = address;
            }
        }

        return supplied;
    }

    private async Task<ExposureAddress?> ResolveAsync(TopologyConfig topology, RegionConfig region, RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace.Name);
        var exposure = region.Exposure!;
        var (arguments, parse) = exposure.Type == ExposureType.NodePort
            ? (AddressQueries.NodeAddress(region.KubeContext!), (Func<string, ExposureAddress?>)AddressQueries.ParseNodeAddress)
            : (AddressQueries.LoadBalancerAddress(region.KubeContext!, names.Namespace, endpoint.Service == ExposedService.ReadWrite ? names.ReadWriteExposure : names.PoolerExposure), AddressQueries.ParseLoadBalancerAddress);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("kubectl").WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Problems.Add($"--resolve: cannot run kubectl ({e.Message}); install it, or pass --address {region.Name}=ADDRESS.");
            return null;
        }

        var address = result.ExitCode == 0 ? parse(result.StandardOutput) : null;
        if (address is null)
        {
            Problems.Add($"--resolve: region {region.Name}'s {Describe(endpoint.Service)} address: kubectl {string.Join(' ', arguments.Take(arguments.Count - 2))} " +
                $"{(result.ExitCode == 0 ? $"printed '{result.StandardOutput.Trim()}', no address yet" : $"failed: {result.StandardError.Trim()}")}; pass --address {region.Name}.{Key(endpoint.Service)}=ADDRESS instead.");
        }

        return address;
    }

    private static ExposureAddress? Configured(RegionConfig region) =>
        region.Exposure is { DiscoversAddress: false, Address: { } text } ? ExposureAddress.Parse(text) : null;

    private static string Why(RegionConfig region) => region.Exposure!.Type == ExposureType.LoadBalancer
        ? "a LoadBalancer's address is assigned by the cloud"
        : $"its address is '{ExposureConfig.DiscoveredAddress}', a node's, read from the cluster";

    private static string Describe(ExposedService service) => service == ExposedService.ReadWrite ? "read-write" : "pooler";

    private static string Key(ExposedService service) => service == ExposedService.ReadWrite ? "rw" : "pooler";

    [GeneratedRegex("^(?<region>[a-z0-9-]+)(\\.(?<service>rw|pooler))?=(?<address>.+)$")]
    private static partial Regex AddressOption();
}

using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// The kubectl reads that give a region's addresses at deploy time, shared by the Pulumi program and
/// <c>render --resolve</c> so both read the same field the same way. Each is an argument list (no shell).
/// </summary>
public static class AddressQueries
{
    /// <summary>A NodePort region's address: the first node's InternalIP(s).</summary>
    public static IReadOnlyList<string> NodeAddress(string kubeContext) =>
        ["--context", kubeContext, "get", "nodes", "--output", "jsonpath={.items[0].status.addresses[?(@.type==\"InternalIP\")].address}"];

    /// <summary>
    /// A LoadBalancer Service's address: its first ingress, IP or hostname (the Service status, core/v1
    /// LoadBalancerIngress, sets one of the two).
    /// </summary>
    public static IReadOnlyList<string> LoadBalancerAddress(string kubeContext, string ns, string service) =>
        ["--context", kubeContext, "--namespace", ns, "get", "service", service, "--output", "jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}"];

    /// <summary>The address in <see cref="NodeAddress"/>'s output: its first IPv4 (a dual-stack node lists one per family); <c>null</c> when none.</summary>
    public static ExposureAddress? ParseNodeAddress(string stdout) =>
        stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => ExposureAddress.TryParse(text, out var address, out _) ? address : null)
            .FirstOrDefault(address => address?.Kind == AddressKind.IPv4);

    /// <summary>The address in <see cref="LoadBalancerAddress"/>'s output; <c>null</c> while the cloud has assigned none.</summary>
    public static ExposureAddress? ParseLoadBalancerAddress(string stdout) =>
        ExposureAddress.TryParse(stdout.Trim(), out var address, out _) ? address : null;
}

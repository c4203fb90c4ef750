namespace CrossClusterIac.Infra.Components;

/// <summary>A Service that makes a region's database reachable from other regions on a node or load-balancer address.</summary>
/// <param name="Name">Service name.</param>
/// <param name="Type"><c>NodePort</c> or <c>LoadBalancer</c>.</param>
/// <param name="Selector">Pods it routes to.</param>
/// <param name="Port">Port other regions connect to (the node port, or the load balancer's port).</param>
/// <param name="TargetPort">Container port.</param>
public sealed record ExposedService(string Name, string Type, IReadOnlyDictionary<string, string> Selector, int Port, int TargetPort);

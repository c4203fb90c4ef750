namespace CrossClusterIac.Verify.Cnpg;

/// <summary>One entry of a Cluster's <c>status.instancesReportedState</c>: what an instance manager last told the operator.</summary>
/// <param name="IsPrimary">Whether the instance considers itself the primary (<c>isPrimary</c>), <c>null</c> when not given.</param>
/// <param name="Ip">The pod's address (<c>ip</c>).</param>
/// <param name="TimelineId">The timeline it is on (<c>timeLineID</c>).</param>
public sealed record CnpgInstanceState(bool? IsPrimary, string? Ip, int? TimelineId);

using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>One region at a glance, from its checks' results: what <c>kubectl cnpg status</c> shows of a cluster.</summary>
/// <param name="Cluster">The cluster, e.g. <c>pg-eu</c>.</param>
/// <param name="Role">primary, replica, or fenced.</param>
/// <param name="Timeline">The timeline it runs on, or ? when it could not be read.</param>
/// <param name="Lag">How long a write took to show on a replica; - on the primary.</param>
/// <param name="Streaming">Whether a replica streams from the primary over mTLS; - on the primary.</param>
/// <param name="Pooler">Whether its PgBouncer serves.</param>
/// <param name="Expiry">Days until its certificate that expires first does.</param>
public sealed record RegionRow(string Cluster, string Role, string Timeline, string Lag, string Streaming, string Pooler, string Expiry)
{
    /// <summary>The column titles.</summary>
    public static readonly RegionRow Titles = new("cluster", "role", "timeline", "lag", "streaming", "pooler", "certificates");

    /// <summary>A row per region of the report, in the outputs' order.</summary>
    public static IReadOnlyList<RegionRow> Of(VerifyReport report) =>
        [.. (report.Outputs?.Regions ?? []).Select(region => Of(region, report.IsFenced(region.Name), [.. report.Checks.Where(c => c.Region == region.Name)]))];

    /// <summary>The cells in column order.</summary>
    public IReadOnlyList<string> Cells => [Cluster, Role, Timeline, Lag, Streaming, Pooler, Expiry];

    private static RegionRow Of(RegionOutputs region, bool fenced, IReadOnlyList<CheckResult> checks)
    {
        CheckResult? Check(string name) => checks.FirstOrDefault(c => c.Name == name);
        var replica = region.Role == RegionRole.Replica;
        var lag = Check("write-visible") is { Status: not CheckStatus.Failed, Metrics: { } metrics } && metrics.TryGetValue("lagMs", out var ms) ? $"{ms:0} ms" : "?";
        var streaming = Check("streams-over-mtls") is { } stream ? stream.Status == CheckStatus.Failed ? "no" : "yes" : "?";
        var days = checks.Select(c => c.Metrics is { } m && m.TryGetValue("certificateDaysLeft", out var d) ? d : (double?)null).Min();
        return new RegionRow(
            region.Cluster,
            fenced ? "fenced" : region.Role == RegionRole.Primary ? "primary" : "replica",
            Check("recovery-role")?.Timeline is { } timeline ? timeline.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?",
            replica ? lag : "-",
            replica ? streaming : "-",
            PoolerState(Check("tls-pooler")),
            days is { } left ? $"expire in {left:0} d" : "?");
    }

    private static string PoolerState(CheckResult? tls) => tls switch
    {
        null => "?",
        { Status: not CheckStatus.Failed } => "serves",
        { Cause: { Server: EndpointKind.Pooler } cause } => cause.State.ToString().ToLowerInvariant(),
        { Cause: { Server: EndpointKind.Instance } } => "no backend",
        _ => "fails",
    };
}

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// The links between the sandbox's locations (every region, and <see cref="Client"/>, where verify and the clients
/// of <c>outputs.json</c> run) and the proxy ports that carry each cross-location connection. A connection within a
/// region stays direct; every other one goes through a route of its link.
/// </summary>
public sealed record SandboxLinks
{
    /// <summary>
    /// The location of verify and of every client that reads <c>outputs.json</c>: outside every region, as a CI job or
    /// an operator's machine is, so that cutting two regions apart leaves both in its sight.
    /// </summary>
    public const string Client = "client";

    /// <summary>
    /// The target of the routes that realise <c>pg-writer</c>: one per location, each forwarding to the pooler of the
    /// region taking writes (<see cref="SandboxState.WriterRegion"/>) by that location's own route to it, so the port a
    /// client dials never changes when the primary moves, as the Service name does not in a cluster.
    /// </summary>
    public const string Writer = Topology.Naming.ClusterNames.WriterService;

    /// <summary>The proxy's port for each location, region and server it reaches across a link.</summary>
    public IReadOnlyList<LinkRoute> Routes { get; init; } = [];

    /// <summary>One link per pair of locations.</summary>
    public IReadOnlyList<RegionLink> Links { get; init; } = [];

    /// <summary>
    /// Links between every pair of <paramref name="regions"/> and between <see cref="Client"/> and each, all up with
    /// <paramref name="roundTrip"/> and <paramref name="jitter"/>; <paramref name="ports"/> gives the routes' ports,
    /// as many as <see cref="PortsNeeded"/> says.
    /// </summary>
    public static SandboxLinks For(IReadOnlyList<string> regions, TimeSpan roundTrip, TimeSpan jitter, IReadOnlyList<int> ports)
    {
        var locations = regions.Prepend(Client).ToList();
        var routes = (
            from source in locations
            from target in regions
            where source != target
            from server in new[] { ServerKind.Postgres, ServerKind.PgBouncer }
            select (source, target, server)).Concat(locations.Select(source => (source, target: Writer, server: ServerKind.PgBouncer)))
            .Select((r, i) => new LinkRoute(r.source, r.target, r.server, ports[i])).ToList();
        var links = locations.SelectMany((a, i) => locations.Skip(i + 1).Select(b => new RegionLink(a, b, roundTrip, jitter, false, false, null))).ToList();
        return new SandboxLinks { Routes = routes, Links = links };
    }

    /// <summary>
    /// How many proxy ports <paramref name="regionCount"/> regions need: two servers of each region, from every other
    /// location, and the writer route of every location.
    /// </summary>
    public static int PortsNeeded(int regionCount) => (regionCount * regionCount * 2) + regionCount + 1;

    /// <summary>The port on which <paramref name="from"/> reaches <c>pg-writer</c>, or <c>null</c> in a sandbox whose state predates it.</summary>
    public int? WriterPortFrom(string from) => Routes.FirstOrDefault(r => r.From == from && r.To == Writer)?.Port;

    /// <summary>The port on which <paramref name="from"/> reaches <paramref name="server"/> of <paramref name="to"/>: its own port within the region, a route's across a link.</summary>
    public int PortFrom(string from, SandboxRegion to, ServerKind server) => from == to.Name
        ? to.Port(server)
        : Routes.FirstOrDefault(r => r.From == from && r.To == to.Name && r.Server == server)?.Port
            ?? throw new SandboxException($"the sandbox has no link from {from} to {to.Name}'s {server}: its state predates the links; recreate it with `sandbox down` and `sandbox up`");

    /// <summary>The link between <paramref name="x"/> and <paramref name="y"/>.</summary>
    public RegionLink Between(string x, string y) =>
        Links.FirstOrDefault(l => l.Joins(x, y)) ?? throw new SandboxException($"no link between {x} and {y}", SandboxException.UsageExitCode);

    /// <summary>These links with <paramref name="link"/> in place of the one between its ends.</summary>
    public SandboxLinks With(RegionLink link) => this with { Links = Links.Select(l => l.Joins(link.A, link.B) ? link : l).ToList() };
}

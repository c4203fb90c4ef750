namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// A port on 127.0.0.1 through which <paramref name="From"/> reaches a server of region <paramref name="To"/>: the
/// link's proxy listens there and forwards to that server, so everything sent that way crosses the link.
/// </summary>
/// <param name="From">The location the connection starts in: a region, or <see cref="SandboxLinks.Client"/>.</param>
/// <param name="To">The region whose server is reached.</param>
/// <param name="Server">Which of its servers.</param>
/// <param name="Port">The port the proxy listens on.</param>
public sealed record LinkRoute(string From, string To, ServerKind Server, int Port);

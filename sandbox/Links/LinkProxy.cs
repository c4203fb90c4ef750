using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// Forwards every route's connections to its region's server across the route's link. A route listens only while its
/// server runs and its link carries both ways, so a connection attempt is refused then, as a stopped server's port or a
/// network that rejects the attempt refuses it (a proxy that accepted first could only reset the connection, which
/// reads as a refused TLS handshake). A connection made before a cut stalls in the lost direction until it heals or
/// its endpoints give up (CNPG's <c>wal_sender_timeout</c> and <c>wal_receiver_timeout</c>, 5 s). While a route does not
/// listen, a socket bound to its port without listening keeps it: a connection attempt is still refused (nothing
/// listens), and the kernel hands the port to no other socket meanwhile, as the local port of an outgoing connection
/// or for a bind to port 0 (Linux net/ipv4/inet_hashtables.c __inet_hash_connect and inet_connection_sock.c
/// inet_csk_find_open_port skip a port that a bind holds), so the route can listen again. Should it still not, the
/// route stays closed, says so in the daemon's log, and is tried again at the daemon's next look.
/// </summary>
public sealed class LinkProxy : IAsyncDisposable
{
    private readonly IReadOnlyList<LinkRoute> _routes;
    private readonly Func<LinkRoute, RouteTarget> _target;
    private readonly LinkConditions _conditions;
    // SOL_SOCKET and SO_REUSEPORT (socket(7), asm-generic/socket.h), set raw: .NET names no SO_REUSEPORT. A route's
    // listener and the placeholder that holds its port while it does not listen are bound to it together.
    private const int SocketLevel = 1;
    private const int ReusePort = 15;

    private readonly Dictionary<LinkRoute, Socket> _listening = [];
    private readonly List<Socket> _placeholders;
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private IReadOnlyList<RegionLink> _applied;

    /// <summary>
    /// A proxy for <paramref name="routes"/>, each forwarding to where <paramref name="target"/> says at the moment a
    /// connection comes. Nothing listens until <see cref="Apply"/>.
    /// </summary>
    public LinkProxy(IReadOnlyList<LinkRoute> routes, Func<LinkRoute, RouteTarget> target, IReadOnlyList<RegionLink> links)
    {
        _routes = routes;
        _target = target;
        _conditions = new LinkConditions(links);
        _applied = links;
        _placeholders = [.. routes.Select(route => Bound(route.Port, listen: false))];
    }

    /// <summary>The routes listening now.</summary>
    public IReadOnlyList<LinkRoute> Listening
    {
        get
        {
            lock (_gate)
            {
                return [.. _listening.Keys];
            }
        }
    }

    /// <summary>
    /// Applies <paramref name="links"/> to every connection, open or new, and listens on exactly the routes whose link
    /// carries both ways and whose server <paramref name="runs"/> says is running.
    /// </summary>
    public void Apply(IReadOnlyList<RegionLink> links, Func<LinkRoute, bool> runs)
    {
        if (!links.SequenceEqual(_applied))
        {
            _conditions.Apply(links);
            _applied = links;
        }

        lock (_gate)
        {
            foreach (var route in _routes)
            {
                var open = runs(route) && _conditions.Between(route.From, _target(route).Across).Carries;
                if (open && !_listening.ContainsKey(route) && TryListen(route) is { } listener)
                {
                    _listening[route] = listener;
                    _ = AcceptAsync(listener, route);
                }
                else if (!open && _listening.Remove(route, out var closing))
                {
                    closing.Dispose();
                }
            }
        }
    }

    /// <summary>Stops listening and resets every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var socket in _listening.Values.Concat(_placeholders))
            {
                socket.Dispose();
            }

            _listening.Clear();
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_connections.Keys);
        _stopping.Dispose();
    }

    private static Socket? TryListen(LinkRoute route)
    {
        try
        {
            return Bound(route.Port, listen: true);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"{DateTime.UtcNow:O} route {route.From}→{route.To} {route.Server} cannot listen on 127.0.0.1:{route.Port} ({e.SocketErrorCode}); trying again");
            return null;
        }
    }

    private static Socket Bound(int port, bool listen)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetRawSocketOption(SocketLevel, ReusePort, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            if (listen)
            {
                socket.Listen(512);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptAsync(Socket listener, LinkRoute route)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // Stopped: the route closed, or the proxy is going away.
                return;
            }

            var connection = ForwardAsync(client, route);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ForwardAsync(Socket client, LinkRoute route)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        client.NoDelay = true;
        try
        {
            // The three-way handshake costs a round trip before the client's first byte can leave.
            var target = _target(route);
            await Task.Delay(_conditions.Between(route.From, target.Across).RoundTrip, connection.Token);
            await upstream.ConnectAsync(IPAddress.Loopback, target.Port, connection.Token);
            var outbound = DelayedPipe.CopyAsync(client, upstream, route.From, target.Across, _conditions, connection.Token);
            var inbound = DelayedPipe.CopyAsync(upstream, client, target.Across, route.From, _conditions, connection.Token);
            var first = await Task.WhenAny(outbound, inbound);
            if (first.IsFaulted || first.IsCanceled)
            {
                await connection.CancelAsync();
            }

            await Task.WhenAll(outbound, inbound);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Either side failed, or the proxy is stopping: reset both, as a broken path does.
            client.LingerState = new LingerOption(true, 0);
            upstream.LingerState = new LingerOption(true, 0);
        }
        finally
        {
            client.Dispose();
        }
    }
}

/// <summary>Where a route forwards a connection now.</summary>
/// <param name="Port">The port on 127.0.0.1 it connects to.</param>
/// <param name="Across">
/// The location at the other end of the link the route crosses: the region of its server, or, for a route that hands
/// its connections to another route (<see cref="SandboxLinks.Writer"/>), its own location, since that route crosses the link.
/// </param>
public sealed record RouteTarget(int Port, string Across);

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// Forwards every route's connections to its region's server across the route's link. A route listens only while its
/// server runs and its link carries both ways, so a connection attempt is refused then, as a stopped server's port or a
/// network that rejects the attempt refuses it (a proxy that accepted first could only reset the connection, which
/// reads as a refused TLS handshake). A connection made before a cut stalls in the lost direction until it heals or
/// its endpoints give up (CNPG's <c>wal_sender_timeout</c> and <c>wal_receiver_timeout</c>, 5 s).
/// </summary>
public sealed class LinkProxy : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<LinkRoute, int> _targets;
    private readonly LinkConditions _conditions;
    private readonly Dictionary<LinkRoute, TcpListener> _listening = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private IReadOnlyList<RegionLink> _applied;

    /// <summary>A proxy for <paramref name="targets"/>: each route and the port of the server it reaches. Nothing listens until <see cref="Apply"/>.</summary>
    public LinkProxy(IReadOnlyDictionary<LinkRoute, int> targets, IReadOnlyList<RegionLink> links)
    {
        _targets = targets;
        _conditions = new LinkConditions(links);
        _applied = links;
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
    /// <exception cref="SocketException">A route's port was taken by another process.</exception>
    public void Apply(IReadOnlyList<RegionLink> links, Func<LinkRoute, bool> runs)
    {
        if (!links.SequenceEqual(_applied))
        {
            _conditions.Apply(links);
            _applied = links;
        }

        lock (_gate)
        {
            foreach (var route in _targets.Keys)
            {
                var open = runs(route) && _conditions.Between(route.From, route.To).Carries;
                if (open && !_listening.ContainsKey(route))
                {
                    var listener = new TcpListener(IPAddress.Loopback, route.Port);
                    listener.Start();
                    _listening[route] = listener;
                    _ = AcceptAsync(listener, route);
                }
                else if (!open && _listening.Remove(route, out var listener))
                {
                    listener.Stop();
                }
            }
        }
    }

    /// <summary>Stops listening and resets every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var listener in _listening.Values)
            {
                listener.Stop();
            }

            _listening.Clear();
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_connections.Keys);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, LinkRoute route)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stopping.Token);
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
            await Task.Delay(_conditions.Between(route.From, route.To).RoundTrip, connection.Token);
            await upstream.ConnectAsync(IPAddress.Loopback, _targets[route], connection.Token);
            var outbound = DelayedPipe.CopyAsync(client, upstream, route.From, route.To, _conditions, connection.Token);
            var inbound = DelayedPipe.CopyAsync(upstream, client, route.To, route.From, _conditions, connection.Token);
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

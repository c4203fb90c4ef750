using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Sandbox.Links;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>The link proxy on real sockets: its delay, its cuts and its routes, against an echo server behind it.</summary>
public sealed class LinkProxyTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task AnExchangeAcrossALinkTakesItsRoundTripAndTheConnectionOneMore()
    {
        var roundTrip = TimeSpan.FromMilliseconds(120);
        await using var echo = new EchoServer();
        var (proxy, route) = Proxy(echo, Link(roundTrip));
        await using var _ = proxy;

        var clock = Stopwatch.StartNew();
        using var client = await ConnectAsync(route);
        await ExchangeAsync(client, 1);
        var first = clock.Elapsed;
        clock.Restart();
        await ExchangeAsync(client, 2);
        var second = clock.Elapsed;

        // The first exchange pays the TCP handshake's round trip as well; no exchange can beat the link. Only lower
        // bounds are asserted: how much longer a loaded machine takes is not the proxy's behaviour.
        Assert.True(first >= 2 * roundTrip * 0.95, $"first exchange took {first.TotalMilliseconds:0} ms");
        Assert.True(second >= roundTrip * 0.95, $"second exchange took {second.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task ACutLinkRefusesNewConnectionsAndHoldsOpenOnesUntilItHeals()
    {
        await using var echo = new EchoServer();
        var link = Link(TimeSpan.Zero);
        var (proxy, route) = Proxy(echo, link);
        await using var _ = proxy;
        using var open = await ConnectAsync(route);
        await ExchangeAsync(open, 1);

        proxy.Apply([link with { LostFromA = true, LostFromB = true }], _ => true);
        await open.SendAsync(new byte[] { 2 });
        var held = ReceiveAsync(open);
        await Task.Delay(Quiet);
        Assert.False(held.IsCompleted, "a byte crossed a cut link");
        Assert.Equal(1, echo.Received);
        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(route));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        proxy.Apply([link], _ => true);
        Assert.Equal(2, await held.WaitAsync(TimeSpan.FromSeconds(5)));
        using var fresh = await ConnectAsync(route);
        await ExchangeAsync(fresh, 3);
    }

    [Fact]
    public async Task OneWayLossDeliversOneDirectionAndHoldsTheOther()
    {
        await using var echo = new EchoServer();
        var link = Link(TimeSpan.Zero);
        var (proxy, route) = Proxy(echo, link);
        await using var _ = proxy;
        using var open = await ConnectAsync(route);
        await ExchangeAsync(open, 1);

        // What the region sends back is lost; what the client sends still arrives.
        proxy.Apply([link with { LostFromB = true }], _ => true);
        await open.SendAsync(new byte[] { 2 });
        var held = ReceiveAsync(open);
        await Task.Delay(Quiet);
        Assert.Equal(2, echo.Received);
        Assert.False(held.IsCompleted, "the echo crossed the lost direction");
        Assert.Empty(proxy.Listening);

        proxy.Apply([link], _ => true);
        Assert.Equal(2, await held.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ARouteListensOnlyWhileItsServerRuns()
    {
        await using var echo = new EchoServer();
        var link = Link(TimeSpan.Zero);
        var (proxy, route) = Proxy(echo, link, runs: false);
        await using var _ = proxy;

        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(route));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        proxy.Apply([link], _ => true);
        using var client = await ConnectAsync(route);
        await ExchangeAsync(client, 7);
    }

    [Fact]
    public async Task JitterNeverReordersAStream()
    {
        await using var echo = new EchoServer();
        var (proxy, route) = Proxy(echo, Link(TimeSpan.FromMilliseconds(20)) with { Jitter = TimeSpan.FromMilliseconds(40) });
        await using var _ = proxy;
        using var client = await ConnectAsync(route);

        var sent = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        foreach (var value in sent)
        {
            await client.SendAsync(new[] { value });
            await Task.Delay(1);
        }

        var received = new List<byte>();
        var buffer = new byte[256];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received.Count < sent.Length)
        {
            var count = await client.ReceiveAsync(buffer, limit.Token);
            received.AddRange(buffer.Take(count));
        }

        Assert.Equal(sent, received);
    }

    private static RegionLink Link(TimeSpan roundTrip) => new("client", "eu", roundTrip, TimeSpan.Zero, false, false, null);

    private static (LinkProxy Proxy, LinkRoute Route) Proxy(EchoServer echo, RegionLink link, bool runs = true)
    {
        var route = new LinkRoute("client", "eu", ServerKind.Postgres, FreePorts.Take(1)[0]);
        var proxy = new LinkProxy([route], _ => new RouteTarget(echo.Port, route.To), [link]);
        proxy.Apply([link], _ => runs);
        return (proxy, route);
    }

    private static async Task<Socket> ConnectAsync(LinkRoute route)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, route.Port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task ExchangeAsync(Socket client, byte value)
    {
        await client.SendAsync(new[] { value });
        Assert.Equal(value, await ReceiveAsync(client).WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private static async Task<byte> ReceiveAsync(Socket client)
    {
        var buffer = new byte[1];
        return await client.ReceiveAsync(buffer) == 1 ? buffer[0] : throw new IOException("the connection closed");
    }
}

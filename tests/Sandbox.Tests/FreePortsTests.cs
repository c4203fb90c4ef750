using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>The ports a sandbox's servers listen on.</summary>
public sealed class FreePortsTests
{
    [Fact]
    public void PortsAreDistinctFreeAndBelowTheRangeTheKernelGivesOutgoingConnections()
    {
        // A port from that range may become some client connection's local port before the server binds it.
        var ephemeral = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);

        var ports = FreePorts.Take(24);

        Assert.Equal(24, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1024, Math.Min(29999, ephemeral - 1)));
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
    }

    [Fact]
    public void APortASocketHoldsWithoutListeningIsNotFreeAsOneThatListensIsNot()
    {
        // As another sandbox's link proxy keeps the port of a route that does not listen (LinkProxy Bound: SO_REUSEPORT,
        // and .NET's Bind adds SO_REUSEADDR, beside which a listener using SO_REUSEADDR too could still bind).
        var placeholder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        placeholder.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
        placeholder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)placeholder.LocalEndPoint!).Port;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        Assert.False(FreePorts.IsFree(port));
        Assert.False(FreePorts.IsFree(((IPEndPoint)listener.LocalEndpoint).Port));
        placeholder.Dispose();
        Assert.True(FreePorts.IsFree(port));
    }
}

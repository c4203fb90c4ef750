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
}

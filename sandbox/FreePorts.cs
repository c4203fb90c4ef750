using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Sandbox;

/// <summary>TCP ports on 127.0.0.1 that nothing listens on.</summary>
public static class FreePorts
{
    /// <summary>Asks the kernel for <paramref name="count"/> distinct free ports.</summary>
    public static IReadOnlyList<int> Take(int count)
    {
        // Every listener stays open until all ports are known, so the kernel cannot hand out one port twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

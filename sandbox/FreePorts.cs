using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Sandbox;

/// <summary>TCP ports on 127.0.0.1 that nothing listens on, outside the kernel's range for outgoing connections.</summary>
/// <remarks>
/// A port the kernel hands out for bind(0) comes from net.ipv4.ip_local_port_range, the range it also gives every
/// outgoing connection as its local port. Between the moment a port is chosen and the moment PostgreSQL or PgBouncer
/// binds it, any of the many client connections on the machine (the tests', the link proxy's, an application's) may
/// take it, and the server then fails to start with "Address already in use". Below that range only an explicit bind
/// takes a port, so a port found free there stays free unless another listener is started on it.
/// </remarks>
public static class FreePorts
{
    // Above the ports services are commonly configured on, below Kubernetes' NodePort range (30000-32767), so that a
    // sandbox port is never mistaken for a node port.
    private const int Lowest = 10000;
    private const int Highest = 29999;

    /// <summary>Finds <paramref name="count"/> distinct free ports.</summary>
    public static IReadOnlyList<int> Take(int count)
    {
        var highest = Math.Min(Highest, EphemeralLowest() - 1);
        if (highest < Lowest)
        {
            // A range for outgoing connections that leaves nothing below it: the kernel's choice, as before.
            return Listen(Enumerable.Repeat(0, count), count);
        }

        var candidates = highest - Lowest + 1;
        var start = Random.Shared.Next(candidates);

        // The start is random so that sandboxes started at the same moment seldom try the same ports.
        return Listen(Enumerable.Range(0, candidates).Select(i => Lowest + ((start + i) % candidates)), count);
    }

    // Every listener stays open until all ports are known, so no port is handed out twice.
    private static List<int> Listen(IEnumerable<int> candidates, int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            foreach (var port in candidates.TakeWhile(_ => listeners.Count < count))
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose();
                }
            }

            if (listeners.Count < count)
            {
                throw new SandboxException($"found only {listeners.Count} free TCP ports on 127.0.0.1 between {Lowest} and {Highest}, {count} needed; stop other listeners there.");
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    // The first port of net.ipv4.ip_local_port_range (proc(5): /proc/sys/net/ipv4/ip_local_port_range); Linux's
    // default 32768 where it cannot be read.
    private static int EphemeralLowest()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}

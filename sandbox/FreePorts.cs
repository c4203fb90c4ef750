using System.Globalization;

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
        // A range for outgoing connections that leaves nothing below it: the whole band, where such a connection may
        // take a port before its server binds it, as on any machine so configured.
        var highest = EphemeralLowest() > Lowest ? Math.Min(Highest, EphemeralLowest() - 1) : Highest;
        var candidates = highest - Lowest + 1;

        // The start is random so that sandboxes started at the same moment seldom try the same ports.
        var start = Random.Shared.Next(candidates);
        var ports = Enumerable.Range(0, candidates).Select(i => Lowest + ((start + i) % candidates)).Where(IsFree).Take(count).ToList();
        return ports.Count == count
            ? ports
            : throw new SandboxException($"found only {ports.Count} free TCP ports on 127.0.0.1 between {Lowest} and {Highest}, {count} needed; stop other listeners there.");
    }

    /// <summary>
    /// Whether a listener of its own could take <paramref name="port"/> on 127.0.0.1 now: nothing listens on it, and no
    /// socket is bound to it. The second matters: another sandbox's link proxy keeps the port of a route that does not
    /// listen (its server stopped, its link cut) with a socket bound to it alone (<see cref="Links.LinkProxy"/>); a server
    /// given that port would fail to start, or keep the route from listening again, once the other sandbox's drill ends.
    /// </summary>
    public static bool IsFree(int port)
    {
        var fd = LibC.ListenWithoutReuse(port);
        if (fd < 0)
        {
            return false;
        }

        LibC.Close(fd);
        return true;
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

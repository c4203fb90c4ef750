using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// Keeps the port of each server of the sandbox that does not run (stopped for a drill, or crashed) with a socket bound
/// to it and not listening, until the server runs again. Without it another sandbox's <see cref="FreePorts"/> may hand
/// the port out meanwhile, and the server's own start then fails to bind it. The socket refuses nobody (nothing
/// listens), and the server binds beside it: .NET binds it with SO_REUSEADDR, as PostgreSQL and PgBouncer bind their
/// listeners, and Linux lets a listener with that option bind beside a bound socket that does not listen (checked with
/// PostgreSQL 15 and PgBouncer 1.18); <see cref="FreePorts"/> probes without it, which such a socket refuses.
/// </summary>
internal sealed class StoppedServerPorts : IDisposable
{
    private readonly Dictionary<int, Socket> _held = [];

    /// <summary>Holds the port of every server in <paramref name="ports"/> (process key to port) that <paramref name="running"/> lacks, and lets go of the others.</summary>
    public void Hold(IReadOnlyDictionary<string, int> ports, IReadOnlySet<string> running)
    {
        var stopped = ports.Where(p => !running.Contains(p.Key)).Select(p => p.Value).ToHashSet();
        foreach (var port in _held.Keys.Where(port => !stopped.Contains(port)).ToList())
        {
            _held.Remove(port, out var socket);
            socket!.Dispose();
        }

        foreach (var port in stopped.Where(port => !_held.ContainsKey(port)))
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                _held[port] = socket;
            }
            catch (SocketException)
            {
                // Something listens on it: the server itself, not yet recorded as running, which keeps it as well.
                socket.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var socket in _held.Values)
        {
            socket.Dispose();
        }

        _held.Clear();
    }
}

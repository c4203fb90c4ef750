using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Tests.Sandbox.Links;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// A TCP forwarder on 127.0.0.1 in front of a server's port that counts the connections it accepts: what a client
/// makes to the server, a bare TLS handshake included, as the server's postmaster would count its forks.
/// </summary>
internal sealed class CountingForwarder(int serverPort) : LoopbackServer
{
    private int _accepted;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    protected override async Task ServeAsync(Socket client)
    {
        Interlocked.Increment(ref _accepted);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, serverPort, Stopping.Token);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            // Either side closing ends the connection; the other copy then ends on the disposed streams.
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, Stopping.Token), serverStream.CopyToAsync(clientStream, Stopping.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // The server refused, or the forwarder is stopping: the client sees its connection close.
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// A TCP forwarder on 127.0.0.1 in front of a server's port that counts the connections it accepts: what a client
/// makes to the server, a bare TLS handshake included, as the server's postmaster would count its forks.
/// </summary>
internal sealed class CountingForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _serverPort;
    private readonly Task _accepting;
    private int _accepted;

    public CountingForwarder(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (true)
        {
            try
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                connections.Add(ForwardAsync(client));
            }
            // Disposal cancels, then stops the listener: an accept begun after the stop finds it not listening.
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                || (e is InvalidOperationException && _stop.IsCancellationRequested))
            {
                break;
            }
        }

        await Task.WhenAll(connections);
    }

    private async Task ForwardAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            // Either side closing ends the connection; the other copy then ends on the disposed streams.
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, _stop.Token), serverStream.CopyToAsync(clientStream, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // The server refused, or the forwarder is stopping: the client sees its connection close.
        }
    }
}

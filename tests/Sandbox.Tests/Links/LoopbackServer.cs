using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>
/// A TCP server of the tests on 127.0.0.1, on a port the kernel picks, serving each connection it accepts until it is
/// disposed. Nobody knows the port before the constructor returns, so no connection is served before a derived class is
/// constructed.
/// </summary>
internal abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _accepting;

    protected LoopbackServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the server is disposed: what a connection still served should end on.</summary>
    protected CancellationTokenSource Stopping { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Stopping.Dispose();
    }

    /// <summary>Serves one accepted connection, owning <paramref name="client"/>.</summary>
    protected abstract Task ServeAsync(Socket client);

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (true)
        {
            try
            {
                var client = await _listener.AcceptSocketAsync(Stopping.Token);
                connections.Add(ServeAsync(client));
            }
            // Disposal cancels, then stops the listener: an accept begun after the stop finds it not listening.
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                || (e is InvalidOperationException && Stopping.IsCancellationRequested))
            {
                break;
            }
        }

        await Task.WhenAll(connections);
    }
}

using System.Net;
using System.Net.Sockets;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>A TCP server on 127.0.0.1 that sends back every byte it receives and counts them: the far end of a link under test.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _received;

    public EchoServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes received so far, over every connection.</summary>
    public long Received => Interlocked.Read(ref _received);

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
                connections.Add(EchoAsync(client));
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

    private async Task EchoAsync(Socket client)
    {
        using var _ = client;
        var buffer = new byte[4096];
        try
        {
            int count;
            while ((count = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                Interlocked.Add(ref _received, count);
                await client.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The test is over, or the proxy reset the connection.
        }
    }
}

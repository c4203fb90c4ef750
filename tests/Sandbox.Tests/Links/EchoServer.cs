using System.Net.Sockets;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>A TCP server on 127.0.0.1 that sends back every byte it receives and counts them: the far end of a link under test.</summary>
internal sealed class EchoServer : LoopbackServer
{
    private long _received;

    /// <summary>Bytes received so far, over every connection.</summary>
    public long Received => Interlocked.Read(ref _received);

    protected override async Task ServeAsync(Socket client)
    {
        using var _ = client;
        var buffer = new byte[4096];
        try
        {
            int count;
            while ((count = await client.ReceiveAsync(buffer, SocketFlags.None, Stopping.Token)) > 0)
            {
                Interlocked.Add(ref _received, count);
                await client.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, Stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The test is over, or the proxy reset the connection.
        }
    }
}

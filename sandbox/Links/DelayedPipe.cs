using System.Net.Sockets;
using System.Threading.Channels;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// One direction of a proxied connection: what the source sends reaches the destination half a round trip later,
/// in order, and not at all while the link loses that direction. A bounded queue between reading and writing holds
/// at most <see cref="QueuedChunks"/> chunks, so a cut link pushes back on the sender as TCP's window does.
/// </summary>
internal static class DelayedPipe
{
    private const int ChunkSize = 64 * 1024;
    private const int QueuedChunks = 64;

    /// <summary>
    /// Copies from <paramref name="source"/> to <paramref name="destination"/> until the source closes (the close is
    /// passed on in its turn) or fails (then it throws, and the caller resets both sides).
    /// </summary>
    public static async Task CopyAsync(Socket source, Socket destination, string sender, string receiver, LinkConditions conditions, CancellationToken cancellationToken)
    {
        // Synchronous continuations: a chunk due now goes on to its destination on the thread that read it, with no
        // hand-over to another thread (the writer's work per chunk is a non-blocking send).
        var queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        var reading = ReadAsync(source, sender, receiver, conditions, queue.Writer, cancellationToken);
        var writing = WriteAsync(destination, sender, receiver, conditions, queue.Reader, cancellationToken);
        await Task.WhenAll(reading, writing);
    }

    private static async Task ReadAsync(Socket source, string sender, string receiver, LinkConditions conditions, ChannelWriter<Chunk> queue, CancellationToken cancellationToken)
    {
        long due = 0;
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                int count;
                try
                {
                    count = await source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                }
                catch (SocketException)
                {
                    // A reset travels like data: after what was sent before it.
                    count = -1;
                }

                due = conditions.Due(sender, receiver, due);
                // The queue holds what arrived, not the buffer it arrived in: small messages cost what they weigh.
                await queue.WriteAsync(new Chunk(count > 0 ? buffer[..count] : [], count, due), cancellationToken);
                if (count <= 0)
                {
                    return;
                }
            }
        }
        finally
        {
            queue.TryComplete();
        }
    }

    private static async Task WriteAsync(Socket destination, string sender, string receiver, LinkConditions conditions, ChannelReader<Chunk> queue, CancellationToken cancellationToken)
    {
        await foreach (var chunk in queue.ReadAllAsync(cancellationToken))
        {
            await conditions.DeliverableAsync(sender, receiver, chunk.Due, cancellationToken);
            switch (chunk.Count)
            {
                case > 0:
                    await destination.SendAsync(chunk.Buffer.AsMemory(0, chunk.Count), SocketFlags.None, cancellationToken);
                    break;
                case 0:
                    destination.Shutdown(SocketShutdown.Send);
                    return;
                default:
                    throw new SocketException((int)SocketError.ConnectionReset);
            }
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count, long Due);
}

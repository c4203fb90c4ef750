namespace CrossClusterIac.Topology.Config;

/// <summary>Reads a stream to its end, never more than a limit: a file that grows or a pipe that never ends costs at most that.</summary>
public static class BoundedRead
{
    /// <summary>The bytes of <paramref name="stream"/>, or <c>null</c> when it holds more than <paramref name="limit"/>.</summary>
    public static byte[]? AtMost(Stream stream, int limit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[limit + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return length > limit ? null : buffer[..length];
    }
}

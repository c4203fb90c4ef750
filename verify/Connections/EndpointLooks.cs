using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify.Connections;

/// <summary>What a quick look at an endpoint found.</summary>
public enum Answer
{
    /// <summary>It answered PostgreSQL's SSLRequest.</summary>
    Answered,

    /// <summary>It accepted TCP and did not answer.</summary>
    Silent,

    /// <summary>It refused the TCP connection.</summary>
    Refused,

    /// <summary>No TCP connection was made within the look's limit.</summary>
    Unreachable,
}

/// <summary>
/// Quick looks at endpoints for the diagnoses: does it answer PostgreSQL's SSLRequest, which PostgreSQL and PgBouncer
/// both answer with one byte before any authentication? A look starts while a connection to the endpoint is still
/// pending at three quarters of <c>--timeout</c>, so that by the time that attempt fails the look has its answer and a
/// stuck endpoint is diagnosed within the timeout instead of one look after it. Looks are shared by every check for
/// as long as they are fresh (one timeout), so a stuck endpoint that many checks meet is looked at once.
/// </summary>
/// <param name="timeout">The run's <c>--timeout</c>.</param>
/// <param name="behind">The endpoints a diagnosis of a target looks at: itself, and for a pooler its backend.</param>
public sealed class EndpointLooks(TimeSpan timeout, Func<ConnectionTarget, IEnumerable<Endpoint>> behind)
{
    private readonly ConcurrentDictionary<Endpoint, (Stopwatch Age, Lazy<Task<Answer>> Look)> _looks = new();

    /// <summary>How long one look may take; a healthy server answers within milliseconds.</summary>
    public TimeSpan Limit => timeout / 4;

    /// <summary>A fresh look at <paramref name="endpoint"/>: one under way or taken within the last timeout, else a new one.</summary>
    public Task<Answer> AtAsync(Endpoint endpoint)
    {
        var entry = _looks.AddOrUpdate(
            endpoint,
            _ => Start(endpoint),
            (_, existing) => existing.Age.Elapsed < timeout ? existing : Start(endpoint));
        return entry.Look.Value;
    }

    /// <summary>
    /// Awaits <paramref name="attempt"/> at <paramref name="target"/>, and starts a look at the endpoints behind it if the
    /// attempt is still pending at three quarters of the timeout.
    /// </summary>
    public async Task<T> WatchAsync<T>(Task<T> attempt, ConnectionTarget target, CancellationToken cancellationToken)
    {
        using var early = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var patience = Task.Delay(timeout * 3 / 4, early.Token);
        if (await Task.WhenAny(attempt, patience) == patience && patience.IsCompletedSuccessfully)
        {
            foreach (var endpoint in behind(target))
            {
                _ = AtAsync(endpoint);
            }
        }

        early.Cancel();
        return await attempt;
    }

    private (Stopwatch, Lazy<Task<Answer>>) Start(Endpoint endpoint) =>
        (Stopwatch.StartNew(), new Lazy<Task<Answer>>(() => LookAsync(endpoint, Limit)));

    private static async Task<Answer> LookAsync(Endpoint endpoint, TimeSpan limit)
    {
        using var client = new TcpClient();
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Answer.Refused;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return Answer.Unreachable;
        }

        try
        {
            var stream = client.GetStream();
            var request = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(request, 8);
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), TlsProbe.SslRequestCode);
            await stream.WriteAsync(request, deadline.Token);
            return await stream.ReadAsync(new byte[1], deadline.Token) == 1 ? Answer.Answered : Answer.Silent;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return Answer.Silent;
        }
    }
}

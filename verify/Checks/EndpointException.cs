using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>A connection or query against <see cref="Target"/> failed; the runner turns it into a diagnosis.</summary>
public sealed class EndpointException(ConnectionTarget target, string action, Exception inner)
    : Exception($"{action} failed at {target}", inner)
{
    /// <summary>The endpoint that failed.</summary>
    public ConnectionTarget Target { get; } = target;

    /// <summary>What was being done, e.g. "writing through the pooler".</summary>
    public string Action { get; } = action;

    /// <summary>
    /// Runs <paramref name="body"/>, attributing any connection or query failure to <paramref name="target"/>.
    /// </summary>
    public static async Task<T> Attribute<T>(ConnectionTarget target, string action, Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is not EndpointException && IsConnectionFailure(e))
        {
            throw new EndpointException(target, action, e);
        }
    }

    /// <summary>Whether an exception comes from the network, TLS or the server rather than from verify itself.</summary>
    public static bool IsConnectionFailure(Exception e) =>
        e is Npgsql.NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException
            or System.Security.Authentication.AuthenticationException or OperationCanceledException;
}

using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Npgsql;

namespace CrossClusterIac.Verify.Connections;

/// <summary>What stopped a connection or a query, in the terms an operator acts on.</summary>
public enum FaultKind
{
    /// <summary>Nothing listens at the address (server or pooler down, or wrong port).</summary>
    Unreachable,

    /// <summary>No answer within the time limit.</summary>
    Timeout,

    /// <summary>The server refused our client certificate during the TLS handshake with an alert.</summary>
    ClientCertificateRefused,

    /// <summary>The server reset the connection during the TLS handshake: how a refused client certificate can also surface.</summary>
    ConnectionReset,

    /// <summary>The server completed TLS but refused the login (pg_hba, pg_ident, PgBouncer's auth).</summary>
    LoginRefused,

    /// <summary>verify refused the server's certificate: untrusted chain or a name that does not match.</summary>
    ServerCertificateRefused,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>A classified failure.</summary>
/// <param name="Kind">Its class.</param>
/// <param name="Description">What happened, with the peer's own words.</param>
public sealed partial record Fault(FaultKind Kind, string Description)
{
    /// <summary>Whether the peer's kernel refused the TCP connection: nothing listens there, the process is down.</summary>
    public bool TcpRefused { get; init; }

    /// <summary>Classifies an exception thrown while connecting to or querying <paramref name="target"/>.</summary>
    public static Fault Of(Exception exception, ConnectionTarget target)
    {
        var chain = Chain(exception).ToList();
        if (chain.OfType<PostgresException>().FirstOrDefault() is { } refused)
        {
            return new Fault(FaultKind.LoginRefused, $"{target} refused the login: {refused.SqlState} {refused.MessageText}");
        }

        if (chain.OfType<ServerCertificateException>().FirstOrDefault() is { } untrusted)
        {
            return new Fault(FaultKind.ServerCertificateRefused, $"verify refused the server certificate of {target}: {untrusted.Message}");
        }

        if (chain.OfType<AuthenticationException>().Any())
        {
            return new Fault(FaultKind.ServerCertificateRefused, $"verify refused the server certificate of {target}: not issued under the shared root, or not valid for the name {target.Endpoint.ServerName}");
        }

        if (chain.Select(e => Alert().Match(e.Message)).FirstOrDefault(m => m.Success) is { } alert)
        {
            return new Fault(FaultKind.ClientCertificateRefused, $"{target} refused the client certificate in the TLS handshake (alert: {alert.Groups[1].Value.Trim()})");
        }

        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new Fault(FaultKind.Unreachable, $"{target} refuses TCP connections: nothing listens there") { TcpRefused = true },
                SocketError.ConnectionReset => new Fault(FaultKind.ConnectionReset, $"{target} reset the connection during the TLS handshake"),
                SocketError.TimedOut => new Fault(FaultKind.Timeout, $"{target} did not answer in time"),
                SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound => new Fault(FaultKind.Unreachable, $"{target} cannot be reached: {socket.Message}"),
                _ => new Fault(FaultKind.Other, $"{target}: {socket.Message}"),
            };
        }

        if (chain.Any(e => e.Message.Contains("reset by peer", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase)))
        {
            return new Fault(FaultKind.ConnectionReset, $"{target} reset the connection during the TLS handshake");
        }

        if (chain.Any(e => e is TimeoutException or OperationCanceledException))
        {
            return new Fault(FaultKind.Timeout, $"{target} did not answer in time");
        }

        return new Fault(FaultKind.Other, $"{target}: {string.Join(": ", chain.Select(e => e.Message).Distinct())}");
    }

    /// <summary>Whether the peer actively refused (as opposed to being unreachable, slow or broken).</summary>
    public bool IsRefusal => Kind is FaultKind.ClientCertificateRefused or FaultKind.ConnectionReset or FaultKind.LoginRefused or FaultKind.ServerCertificateRefused;

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    // OpenSSL renders a peer's alert as e.g. "error:0A000418:SSL routines::tlsv1 alert unknown ca".
    [GeneratedRegex(@"(?:tlsv1|tlsv13|sslv3) alert ([a-z ]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Alert();
}

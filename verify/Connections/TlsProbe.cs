using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CrossClusterIac.Verify.Connections;

/// <summary>
/// A TLS handshake with an endpoint through PostgreSQL's SSLRequest, without logging in: it reports what the
/// handshake negotiated, which a database driver does not expose, and works alike on PostgreSQL and PgBouncer.
/// </summary>
public static class TlsProbe
{
    /// <summary>The SSLRequest code of PostgreSQL's protocol (1234 in the high 16 bits, 5679 in the low).</summary>
    public const int SslRequestCode = 80877103;

    /// <summary>
    /// Performs the handshake within <paramref name="timeout"/>, verifying the server certificate against the trusted
    /// roots under the endpoint's server name. A stopped server's kernel still completes the TCP handshake from its listen backlog,
    /// so only a limit on the whole exchange stops verify from waiting on it forever.
    /// </summary>
    /// <exception cref="ServerCertificateException">The server certificate is not trusted (expired, not yet valid, another root) or does not match.</exception>
    /// <exception cref="OperationCanceledException">The server did not finish the handshake in time, or the caller cancelled.</exception>
    public static async Task<TlsSession> HandshakeAsync(ConnectionTarget target, X509Certificate2Collection roots, ClientIdentity identity, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        cancellationToken = limit.Token;
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(target.Endpoint.Host, target.Endpoint.Port, cancellationToken);
        var stream = client.GetStream();
        var request = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(request, 8);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), SslRequestCode);
        await stream.WriteAsync(request, cancellationToken);
        var answer = new byte[1];
        if (await stream.ReadAsync(answer, cancellationToken) != 1 || answer[0] != (byte)'S')
        {
            throw new AuthenticationException($"{target} does not offer TLS (answered the SSL request with '{(char)answer[0]}')");
        }

        var check = new ServerCertificateCheck(target, roots);
        await using var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = target.Endpoint.ServerName,
                    ClientCertificateContext = identity.Context,
                    RemoteCertificateValidationCallback = check.Validate,
                },
                cancellationToken);
        }
        catch (AuthenticationException e) when (check.Refusal is { } refusal)
        {
            throw new ServerCertificateException(refusal, e);
        }

        return check.Session();
    }
}

/// <summary>What a TLS handshake negotiated.</summary>
/// <param name="Protocol">TLS version.</param>
/// <param name="CipherSuite">Cipher suite.</param>
/// <param name="ServerCertificate">The server's leaf certificate.</param>
/// <param name="Anchor">The trusted root its chain ends at.</param>
public sealed record TlsSession(SslProtocols Protocol, TlsCipherSuite CipherSuite, X509Certificate2 ServerCertificate, X509Certificate2 Anchor);

using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// The verify role's one login to an endpoint in a run, shared by every check that reads through it: the TLS session it
/// negotiated (tls-instance, tls-pooler, certificate-generations), the role it logged in as, and on an instance what the
/// instance shows (<see cref="InstanceView"/>: recovery-role, streams-over-mtls). Every connection to an instance forks a
/// PostgreSQL backend, whose start and exit cost the server tens of milliseconds of CPU, and a run's CPU is mostly the
/// servers': a TLS handshake of its own, without a login, forks one as well, since the postmaster forks as soon as a
/// connection comes and the child reads the SSLRequest (PostgreSQL src/backend/postmaster/postmaster.c: its header,
/// "When a request message is received, we now fork() immediately", and BackendStartup, whose child runs
/// ProcessStartupPacket).
/// </summary>
public sealed class VerifyLogin
{
    private readonly ServerCertificateCheck _check;

    private VerifyLogin(ServerCertificateCheck check, Task<LoginView> view)
    {
        _check = check;
        View = view;
    }

    /// <summary>What the login saw; faulted with what stopped it.</summary>
    public Task<LoginView> View { get; }

    /// <summary>
    /// The root the server's chain ends at, known once the handshake accepted the server certificate, even if the login
    /// then fails; faulted when the handshake did not get that far.
    /// </summary>
    public Task<X509Certificate2> Anchor => _check.Anchor;

    /// <summary>Whether the handshake accepted the server certificate: a failure after that is the login's.</summary>
    public bool HandshakeAccepted => _check.Accepted;

    /// <summary>
    /// Starts the login to <paramref name="target"/> as its region's verify role, bounded by <c>--timeout</c> (the open and
    /// each command) and <paramref name="cancellationToken"/>.
    /// </summary>
    public static VerifyLogin Start(CheckContext context, ConnectionTarget target, CancellationToken cancellationToken)
    {
        var check = new ServerCertificateCheck(target, context.Roots);
        return new VerifyLogin(check, ReadAsync(context, target, check, cancellationToken));
    }

    private static async Task<LoginView> ReadAsync(CheckContext context, ConnectionTarget target, ServerCertificateCheck check, CancellationToken cancellationToken)
    {
        var identity = context.Identity(context.Region(target.Region), ClientNames.Verify);
        await using var connection = await context.Connector.OpenReportingTlsAsync(target, identity, check, cancellationToken);
        // Read while the connection, and so its TLS stream, is open.
        var session = check.Session();
        if (target.Kind == EndpointKind.Instance)
        {
            var instance = await InstanceView.ReadAsync(connection, cancellationToken);
            return new LoginView(session, instance.User, instance);
        }

        await using var command = new NpgsqlCommand("SELECT current_user::text", connection);
        return new LoginView(session, (string)(await command.ExecuteScalarAsync(cancellationToken))!, null);
    }
}

/// <summary>What the verify role's login to an endpoint saw.</summary>
/// <param name="Tls">The TLS session it negotiated.</param>
/// <param name="User">The role it logged in as.</param>
/// <param name="Instance">What an instance shows; null through a pooler.</param>
public sealed record LoginView(TlsSession Tls, string User, InstanceView? Instance);

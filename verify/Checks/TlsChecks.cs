using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// TLS to every endpoint: what was negotiated, the server certificate held to the trusted roots under verify-full
/// (its serial, issuer, root and days left reported), and a certificate login.
/// </summary>
public static class TlsChecks
{
    /// <summary>One check per endpoint.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        ConnectionTarget.All(context.Outputs).Select(target => new Check(
            target.Kind == EndpointKind.Instance ? "tls-instance" : "tls-pooler",
            target.Region,
            cancellationToken => RunAsync(context, target, cancellationToken)));

    private static async Task<CheckOutcome> RunAsync(CheckContext context, ConnectionTarget target, CancellationToken cancellationToken)
    {
        var identity = context.Identity(context.Region(target.Region), ClientNames.Verify);
        // The login does not wait for the handshake: across a WAN each costs round trips, and neither needs the other.
        var handshake = EndpointException.Attribute(target, "TLS handshake", () => context.HandshakeAsync(target).WaitAsync(cancellationToken));
        // An instance's login is the one its other checks read through (InstanceView); a pooler's is this check's own.
        var login = EndpointException.Attribute(target, $"certificate login as {identity.User}", async () =>
        {
            if (target.Kind == EndpointKind.Instance)
            {
                return (await context.InstanceViewAsync(target).WaitAsync(cancellationToken)).User;
            }

            await using var connection = await context.OpenAsVerifyAsync(target, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_user", connection);
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        });
        var session = await handshake;
        var user = await login;

        var now = DateTime.UtcNow;
        var certificate = session.ServerCertificate;
        var days = CertificateFacts.DaysLeft(certificate, now);
        var window = context.WarningDays(CertificateTier.Leaf);
        var detail = $"{target}: {Protocol(session)} {session.CipherSuite}; server certificate valid for {target.Endpoint.ServerName} ({CertificateFacts.Summary(certificate, session.Anchor, now)}); certificate login as {user}";
        return days < window
            ? CheckOutcome.Warn(detail, $"the server certificate of {target} has {days} days left, inside the {window}-day renewal window: run `pulumi up` to re-issue it (or `sandbox rotate --tier leaf`)")
                with { Metrics = Metrics(days) }
            : CheckOutcome.Pass(detail) with { Metrics = Metrics(days) };
    }

    private static Dictionary<string, double> Metrics(int days) => new(StringComparer.Ordinal) { ["certificateDaysLeft"] = days };

    private static string Protocol(TlsSession session) => session.Protocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        var other => other.ToString(),
    };
}

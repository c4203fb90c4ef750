using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

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
        // One login makes the handshake and logs in (VerifyLogin); what failed is named by how far it got.
        var login = context.Login(target);
        LoginView view;
        try
        {
            view = await login.View.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (EndpointException.IsConnectionFailure(e))
        {
            throw new EndpointException(target, login.HandshakeAccepted ? $"certificate login as {identity.User}" : "TLS handshake", e);
        }

        var (session, user) = (view.Tls, view.User);
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

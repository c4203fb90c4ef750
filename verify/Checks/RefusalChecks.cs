using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// Connections that must not succeed, tried against every instance and pooler. A refusal counts only when the
/// peer actively refused; an endpoint that cannot be reached proves nothing and fails the check.
/// </summary>
public static class RefusalChecks
{
    /// <summary>One check per kind of bad connection per region.</summary>
    public static IEnumerable<Check> For(CheckContext context)
    {
        var untrusted = new Lazy<ClientIdentity>(() => UntrustedIdentity.Issue(context.Identity(context.Primary, ClientNames.Verify).User));
        foreach (var region in context.Outputs.Regions)
        {
            var verify = context.Identity(region, ClientNames.Verify);
            var app = context.Identity(region, ClientNames.App);
            yield return Refusal(context, region, "refuses-plaintext", "plaintext", FaultKind.LoginRefused,
                (target, ct) => context.Connector.OpenAsync(target, verify, ct, ConnectionVariant.Plaintext));
            yield return Refusal(context, region, "refuses-missing-client-certificate", "TLS without a client certificate", null,
                (target, ct) => context.Connector.OpenAsync(target, null, ct, user: verify.User));
            yield return Refusal(context, region, "refuses-untrusted-ca", "a certificate from a CA outside the shared root", null,
                (target, ct) => context.Connector.OpenAsync(target, untrusted.Value, ct));
            yield return Refusal(context, region, "refuses-mismatched-cn", $"the {app.User} certificate logging in as {verify.User}", null,
                (target, ct) => context.Connector.OpenAsync(target, app, ct, user: verify.User));
            yield return Refusal(context, region, "refuses-expired-certificate", "an expired certificate", null,
                (target, ct) => context.Connector.OpenAsync(target, context.Identity(region, ClientNames.ExpiredProbe), ct));
            yield return Refusal(context, region, "refuses-server-name-mismatch", "a server certificate checked against a name it does not carry", FaultKind.ServerCertificateRefused,
                (target, ct) => context.Connector.OpenAsync(target, verify, ct), MisnamedTarget);
        }
    }

    private static ConnectionTarget MisnamedTarget(ConnectionTarget target) =>
        target with { Endpoint = target.Endpoint with { ServerName = $"not-{target.Endpoint.ServerName}" } };

    private static Check Refusal(CheckContext context, RegionOutputs region, string name, string attempt, FaultKind? required, Func<ConnectionTarget, CancellationToken, Task<Npgsql.NpgsqlConnection>> connect, Func<ConnectionTarget, ConnectionTarget>? aim = null) =>
        new(name, region.Name, async cancellationToken =>
        {
            var targets = new[] { ConnectionTarget.Instance(region), ConnectionTarget.Pooler(region) }.Select(aim ?? (t => t));
            var outcomes = await Task.WhenAll(targets.Select(target => TryAsync(target, connect, cancellationToken)));
            var accepted = outcomes.Where(o => o.Fault is null).Select(o => o.Target).ToList();
            var inconclusive = outcomes.Where(o => o.Fault is { IsRefusal: false } || (o.Fault is { } f && required is { } kind && f.Kind != kind)).ToList();
            var detail = string.Join("; ", outcomes.Select(o => o.Fault is null ? $"{o.Target.Endpoint.ServerName}: ACCEPTED" : o.Fault.Description));
            if (accepted.Count > 0)
            {
                return CheckOutcome.Fail(detail, $"{string.Join(" and ", accepted)} accepted {attempt}: its TLS or authentication rules are too lax");
            }

            if (inconclusive.Count > 0)
            {
                return CheckOutcome.Fail(detail, $"could not show that {attempt} is refused: {string.Join("; ", inconclusive.Select(o => o.Fault!.Description))}")
                    with { Cause = await CauseAsync(context, inconclusive) };
            }

            return CheckOutcome.Pass($"{attempt} refused: {detail}");
        });

    // An endpoint whose kernel refused TCP is surely down; one that timed out may only be slow on a loaded machine.
    private static Task<RootCause?> CauseAsync(CheckContext context, IEnumerable<(ConnectionTarget Target, Fault? Fault)> inconclusive)
    {
        var (target, fault) = inconclusive.OrderByDescending(o => o.Fault!.TcpRefused).First();
        return Diagnoses.CauseAsync(context, target, fault!);
    }

    private static async Task<(ConnectionTarget Target, Fault? Fault)> TryAsync(ConnectionTarget target, Func<ConnectionTarget, CancellationToken, Task<Npgsql.NpgsqlConnection>> connect, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await connect(target, cancellationToken);
            await using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return (target, null);
        }
        catch (Exception e) when (EndpointException.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return (target, Fault.Of(e, target));
        }
    }
}

using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// The owner's password must get nobody in, over plaintext or over TLS without a certificate. CNPG gives the owner a
/// password (the <c>-app</c> Secret) and ends pg_hba with <c>host all all all scram-sha-256</c>
/// (<c>pkg/postgres/configuration.go</c> hbaTemplateString), so only a user rule that rejects first keeps
/// certificates the only way in.
/// </summary>
public static class PasswordRefusalChecks
{
    /// <summary>PostgreSQL's SQLSTATE for a wrong password: the server asked for one, so a password rule matched.</summary>
    private const string InvalidPassword = "28P01";

    /// <summary>One check per region, over its instance and its pooler.</summary>
    public static IEnumerable<Check> For(CheckContext context)
    {
        var owner = context.Options.AppSecret?.User ?? context.Identity(context.Primary, ClientNames.App).User;
        var password = context.Options.AppSecret?.Password ?? $"not-the-password-{Guid.NewGuid():N}";
        var source = context.Options.AppSecret is null ? "a wrong password" : "the app Secret's password";
        return context.Outputs.Regions.Select(region => new Check("refuses-app-password", region.Name, async cancellationToken =>
        {
            var attempts = new[] { ConnectionTarget.Instance(region), ConnectionTarget.Pooler(region) }
                .SelectMany(target => new[] { ConnectionVariant.Plaintext, ConnectionVariant.Normal }.Select(variant => (target, variant)));
            var outcomes = await Task.WhenAll(attempts.Select(a => TryAsync(context, a.target, a.variant, owner, password, cancellationToken)));
            var detail = string.Join("; ", outcomes.Select(o => $"{Over(o.Variant)} to {o.Target.Endpoint.ServerName}: {o.Fault?.Description ?? "ACCEPTED"}"));
            if (outcomes.FirstOrDefault(o => o.Fault is null) is { Target: { } accepted } open)
            {
                return CheckOutcome.Fail(detail, $"{accepted} let {owner} in with {source} {Over(open.Variant)}: certificates are not the only way in; end spec.postgresql.pg_hba with `host all all all reject`");
            }

            if (outcomes.FirstOrDefault(o => o.PasswordAsked) is { Target: { } asking } asked)
            {
                return CheckOutcome.Fail(detail, $"{asking} asked {owner} for a password {Over(asked.Variant)} ({InvalidPassword}): a password rule is reachable (CNPG's trailing `host all all all scram-sha-256`), so the app Secret's password logs in; end spec.postgresql.pg_hba with `host all all all reject`");
            }

            // An endpoint whose kernel refused TCP is surely down; one that timed out may only be slow on a loaded machine.
            if (outcomes.Where(o => o.Fault is { IsRefusal: false }).OrderByDescending(o => o.Fault!.TcpRefused).FirstOrDefault() is { Fault: { } unclear } inconclusive)
            {
                return CheckOutcome.Fail(detail, $"could not show that a password is refused: {unclear.Description}") with { Cause = await Diagnoses.CauseAsync(context, inconclusive.Target, unclear) };
            }

            return CheckOutcome.Pass($"{owner} with {source} refused: {detail}");
        }));
    }

    private static string Over(ConnectionVariant variant) => variant == ConnectionVariant.Plaintext ? "over plaintext" : "over TLS without a certificate";

    private static async Task<Attempt> TryAsync(CheckContext context, ConnectionTarget target, ConnectionVariant variant, string owner, string password, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await context.Connector.OpenAsync(target, null, cancellationToken, variant, owner, password);
            return new Attempt(target, variant, null, false);
        }
        catch (Exception e) when (EndpointException.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var asked = e is PostgresException { SqlState: InvalidPassword } || e.InnerException is PostgresException { SqlState: InvalidPassword };
            return new Attempt(target, variant, Fault.Of(e, target), asked);
        }
    }

    private sealed record Attempt(ConnectionTarget Target, ConnectionVariant Variant, Fault? Fault, bool PasswordAsked);
}

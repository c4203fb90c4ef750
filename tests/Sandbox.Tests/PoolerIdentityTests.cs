using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 8: PgBouncer logs in as the CN of the Pooler's serverTLSSecret to run its auth query in <c>auth_dbname</c>
/// (<c>postgres</c>). Debian's PgBouncer 1.18 predates auth_dbname and runs the query in the client's database, so the
/// sandbox's pooler cannot show this path; this test does what CNPG's newer PgBouncer does, on the real primary.
/// </summary>
[Collection(SharedSandbox.Name)]
public sealed class PoolerIdentityTests(SandboxFixture fixture)
{
    [Fact]
    public async Task PoolerBackendIdentityRunsTheAuthQueryInPostgres()
    {
        var eu = fixture.Sandbox.State.Regions.Single(r => r.Name == "eu");
        var controller = eu.Layout.Controller;
        var query = File.ReadLines(controller.PgBouncerIni).Single(l => l.StartsWith("auth_query = ", StringComparison.Ordinal))["auth_query = ".Length..];
        using var identity = ClientIdentity.FromPem(RoleNames.Pooler, await File.ReadAllTextAsync(controller.PoolerServerCertificate), await File.ReadAllTextAsync(controller.PoolerServerKey));
        var connector = new Connector(Connector.TrustAnchors(fixture.Sandbox.Outputs.RootCaCertificate), "postgres", TimeSpan.FromSeconds(10));

        await using var connection = await connector.OpenAsync(ConnectionTarget.Instance(fixture.Sandbox.Outputs.Regions.Single(r => r.Name == "eu")), identity, CancellationToken.None);

        Assert.Equal(("app", true), await AuthQueryAsync(connection, query, "app"));
        Assert.Equal((RoleNames.Verify, true), await AuthQueryAsync(connection, query, RoleNames.Verify));
        Assert.Null(await AuthQueryAsync(connection, query, "nobody"));
    }

    // PgBouncer binds the login name as $1 and reads (user, password); a NULL password never matches anything.
    private static async Task<(string User, bool PasswordIsNull)?> AuthQueryAsync(NpgsqlConnection connection, string query, string user)
    {
        await using var command = new NpgsqlCommand(query, connection) { Parameters = { new() { Value = user } } };
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.IsDBNull(1)) : null;
    }
}

using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// SQL on a region's instance as the sandbox-only superuser: what CNPG's instance manager runs over its local
/// socket (CHECKPOINT before a shutdown and before reading a restartpoint, the WAL receiver's view).
/// </summary>
/// <param name="directory">The sandbox directory.</param>
/// <param name="outputs">The outputs naming each region's instance endpoint.</param>
/// <param name="running">Whether a region's postmaster runs: a refused connection is waited on only while it does.</param>
internal sealed class AdministratorSql(string directory, TopologyOutputs outputs, Func<string, bool> running)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="sql"/> on <paramref name="region"/>'s instance and returns the first column of its first row.</summary>
    public async Task<T> ScalarAsync<T>(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="region"/>'s instance.</summary>
    public async Task ExecuteAsync(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> and reads its one row as text, column by column (NULL as <c>null</c>).</summary>
    public async Task<IReadOnlyList<string?>> RowAsync(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return [];
        }

        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i).ToString()).ToList();
    }

    // A postmaster (re)starting refuses connections for a moment: outright before it listens, with 57P03
    // (cannot_connect_now: "the database system is starting up") while it recovers. CNPG's instance manager retries its
    // local connection meanwhile (pkg/management/postgres/instance.go WaitForSuperuserConnectionAvailable); so does the
    // sandbox while the postmaster runs, for as long as pg_ctl -w waits for a start. One that does not run is named at once.
    private static readonly TimeSpan StartingWait = TimeSpan.FromSeconds(30);

    private async Task<NpgsqlConnection> OpenAsync(string region, CancellationToken cancellationToken)
    {
        var administrator = AdministratorCertificate.In(directory);
        using var identity = ClientIdentity.FromPem(SandboxOnly.AdministratorRole, await File.ReadAllTextAsync(administrator.CertificatePath, cancellationToken), await File.ReadAllTextAsync(administrator.KeyPath, cancellationToken));
        var root = Connector.TrustAnchors(outputs.RootCaCertificate);
        var target = ConnectionTarget.Instance(outputs.Regions.Single(r => r.Name == region));
        var deadline = DateTime.UtcNow + StartingWait;
        while (true)
        {
            try
            {
                return await new Connector(root, "postgres", Timeout).OpenAsync(target, identity, cancellationToken);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested && IsStarting(e))
            {
                if (!running(region))
                {
                    throw new SandboxException($"pg-{region} at {target.Endpoint.Host}:{target.Endpoint.Port} does not run ({e.Message}); start it with `sandbox start {region}`, then run the same command again.", 1, e);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new SandboxException($"pg-{region} at {target.Endpoint.Host}:{target.Endpoint.Port} runs but did not accept a connection within {StartingWait.TotalSeconds:0} s ({e.Message}); see its log (`sandbox status` names it), then run the same command again.", 1, e);
                }

                await Task.Delay(100, cancellationToken);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SandboxException($"pg-{region} at {target.Endpoint.Host}:{target.Endpoint.Port} refused the sandbox's administrator connection: {e.Message}", 1, e);
            }
        }
    }

    private static bool IsStarting(NpgsqlException e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow }
        || e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };
}

using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// What an instance shows the verify role: who it logged in as, whether it is in recovery and on which timeline, and
/// the WAL senders it runs. Read once per instance and run, in one round trip of the verify role's shared login
/// (<see cref="VerifyLogin"/>).
/// </summary>
/// <param name="User">The role the verify certificate logged in as.</param>
/// <param name="InRecovery">Whether the instance is in recovery (a standby).</param>
/// <param name="Timeline">The timeline a primary writes or a standby receives; null for a standby with no WAL receiver.</param>
/// <param name="WalSenders">Its WAL senders with their TLS facts: none on a standby that feeds no other.</param>
public sealed record InstanceView(string User, bool InRecovery, int? Timeline, IReadOnlyList<WalSender> WalSenders)
{
    /// <summary>Reads the view in one batch on <paramref name="connection"/>, the verify role's login to the instance.</summary>
    public static async Task<InstanceView> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                // The timeline a primary writes or a standby receives tells which promotion a region has seen.
                new NpgsqlBatchCommand(
                    $"""
                    SELECT current_user::text, pg_is_in_recovery(),
                           CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                                ELSE {WalNames.CurrentTimeline} END
                    """),
                new NpgsqlBatchCommand(
                    """
                    SELECT r.state, s.ssl, coalesce(s.version, ''), coalesce(s.client_dn, ''), coalesce(s.issuer_dn, ''),
                           coalesce(r.application_name, ''), coalesce(extract(epoch FROM r.replay_lag) * 1000, 0)::float8
                    FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
                    """),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (user, inRecovery, timeline) = (reader.GetString(0), reader.GetBoolean(1), reader.IsDBNull(2) ? (int?)null : reader.GetInt32(2));
        await reader.NextResultAsync(cancellationToken);
        var senders = new List<WalSender>();
        while (await reader.ReadAsync(cancellationToken))
        {
            senders.Add(new WalSender(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetDouble(6)));
        }

        return new InstanceView(user, inRecovery, timeline, senders);
    }
}

/// <summary>A WAL sender as pg_stat_replication and pg_stat_ssl show it.</summary>
/// <param name="State">Its state, e.g. <c>streaming</c>.</param>
/// <param name="Ssl">Whether its connection uses TLS.</param>
/// <param name="Version">The TLS version.</param>
/// <param name="ClientDn">The client certificate's subject.</param>
/// <param name="IssuerDn">The client certificate's issuer.</param>
/// <param name="ApplicationName">The receiver's application name (CNPG sets the cluster's name).</param>
/// <param name="ReplayLagMilliseconds">Replay lag as the primary last heard it.</param>
public sealed record WalSender(string State, bool Ssl, string Version, string ClientDn, string IssuerDn, string ApplicationName, double ReplayLagMilliseconds);

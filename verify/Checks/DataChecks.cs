using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>A batch written on the primary arrives whole on every replica: same count, same checksum.</summary>
public static class DataChecks
{
    private const string Summary = $"SELECT count(*), coalesce(md5(string_agg(payload, ',' ORDER BY n)), '') FROM {CheckContext.ProbeTable} WHERE run_id = $1";

    /// <summary>One check per replica.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        context.Replicas.Select(replica => new Check("data-arrives-whole", replica.Name, ct => RunAsync(context, replica, ct)) { Wait = CheckContext.DelayOf(replica) });

    private static async Task<CheckOutcome> RunAsync(CheckContext context, RegionOutputs replica, CancellationToken cancellationToken)
    {
        var pooler = ConnectionTarget.Pooler(context.Primary);
        var instance = ConnectionTarget.Instance(replica);
        var rows = context.Options.Rows;
        await context.EnsureProbeTableAsync();
        await using var writer = await EndpointException.Attribute(pooler, "connecting as the application role", () => context.OpenAsAppAsync(pooler, cancellationToken));
        var runId = Guid.NewGuid();
        await context.ProbeRows.ClaimAsync(runId, cancellationToken);
        var written = await EndpointException.Attribute(pooler, $"writing {rows} rows", async () =>
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {CheckContext.ProbeTable} (run_id, n, payload) SELECT $1, g, md5(random()::text || g) FROM generate_series(1, $2) g",
                writer) { Parameters = { new() { Value = runId }, new() { Value = rows } } };
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await using var position = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", writer);
            return (Summary: await SummaryAsync(writer, runId, cancellationToken), Lsn: (string)(await position.ExecuteScalarAsync(cancellationToken))!);
        });

        // Wait until the replica has replayed past the batch, then read it once: polling a count and a checksum
        // over the whole batch would load the replica it waits on.
        await using var reader = await EndpointException.Attribute(instance, "connecting as the application role", () => context.OpenAsAppAsync(instance, cancellationToken));
        await using var replayed = new NpgsqlCommand("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", reader) { Parameters = { new() { Value = written.Lsn } } };
        // A delayed replica replays the batch's commit only once the delay has passed (recovery_min_apply_delay).
        var delay = CheckContext.DelayOf(replica);
        var arrived = await EndpointException.Attribute(instance, "waiting for the replay of the batch", () => Polling.UntilAsync(
            async ct => (bool)(await replayed.ExecuteScalarAsync(ct))!,
            context.Options.Timeout + delay,
            cancellationToken));
        var seen = arrived
            ? await EndpointException.Attribute(instance, "counting the rows", () => SummaryAsync(reader, runId, cancellationToken))
            : (Count: 0L, Checksum: string.Empty);

        if (!arrived)
        {
            return CheckOutcome.Fail(
                $"{replica.Cluster} did not replay the batch of {rows} rows (WAL {written.Lsn}) within {(context.Options.Timeout + delay).TotalSeconds:0.#} s{(delay > TimeSpan.Zero ? $" (its {delay.TotalSeconds:0} s delay included)" : string.Empty)}",
                await Diagnoses.ReplicaAsync(context, replica));
        }

        return seen == written.Summary
            ? CheckOutcome.Pass($"{rows} rows, md5 {written.Summary.Checksum}, identical on {context.Primary.Cluster} and {replica.Cluster}")
            : CheckOutcome.Fail(
                $"{context.Primary.Cluster}: {written.Summary.Count} rows md5 {written.Summary.Checksum}; {replica.Cluster}: {seen.Count} rows md5 {seen.Checksum}",
                $"the rows on {replica.Cluster} differ from the primary's: the replica does not replay the primary's WAL faithfully");
    }

    private static async Task<(long Count, string Checksum)> SummaryAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Summary, connection) { Parameters = { new() { Value = runId } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetString(1));
    }
}

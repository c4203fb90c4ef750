using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Text;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>A batch written on the primary arrives whole on every replica: same count, same checksum.</summary>
public static class DataChecks
{
    // The batch's count and checksum as one text, "count md5", so that it fits a CASE and one column.
    private const string Summary = $"SELECT count(*) || ' ' || coalesce(md5(string_agg(payload, ',' ORDER BY n)), '') FROM {CheckContext.ProbeTable} WHERE run_id = $1";

    /// <summary>One check per replica.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        context.Replicas.Select(replica => new Check("data-arrives-whole", replica.Name, ct => RunAsync(context, replica, ct)) { Wait = CheckContext.DelayOf(replica) });

    private static async Task<CheckOutcome> RunAsync(CheckContext context, RegionOutputs replica, CancellationToken cancellationToken)
    {
        var pooler = ConnectionTarget.Pooler(context.Primary);
        var instance = ConnectionTarget.Instance(replica);
        var rows = context.Options.Rows;

        // The probe table, the writer and the reader are made ready at once, and each later step is one statement or
        // one batch: across regions a round trip is what every step costs.
        var table = context.EnsureProbeTableAsync();
        var (writer, reader) = await CheckContext.OpenBothAsync(
            EndpointException.Attribute(pooler, "connecting as the application role", () => context.OpenAsAppAsync(pooler, cancellationToken)),
            EndpointException.Attribute(instance, "connecting as the application role", () => context.OpenAsAppAsync(instance, cancellationToken)));
        await using var writerConnection = writer;
        await using var readerConnection = reader;
        await table.WaitAsync(cancellationToken);
        var runId = await context.ProbeRows.TakeAsync(cancellationToken);
        var written = await EndpointException.Attribute(pooler, $"writing {Counted.Of(rows, "row")}", async () =>
        {
            await using var batch = new NpgsqlBatch(writer)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"INSERT INTO {CheckContext.ProbeTable} (run_id, n, payload) SELECT $1, g, md5(random()::text || g) FROM generate_series(1, $2) g") { Parameters = { new() { Value = runId }, new() { Value = rows } } },
                    new NpgsqlBatchCommand(Summary) { Parameters = { new() { Value = runId } } },
                },
            };

            // A batch is one implicit transaction: the summary sees the rows it commits with them. The reader starts at
            // the first result that has rows, the summary's.
            await using var result = await batch.ExecuteReaderAsync(cancellationToken);
            await result.ReadAsync(cancellationToken);
            return Parse(result.GetString(0));
        });

        // Wait until the replica holds as many rows of the batch as were written, counted on the primary key's index,
        // and only then summarise them, in the same statement: polling a checksum over the whole batch would load
        // the replica it waits on.
        await using var replayed = new NpgsqlCommand(
            $"SELECT CASE WHEN (SELECT count(*) FROM {CheckContext.ProbeTable} WHERE run_id = $1) = $2 THEN ({Summary}) END",
            reader) { Parameters = { new() { Value = runId }, new() { Value = written.Count } } };

        // A delayed replica replays the batch's commit only once the delay has passed (recovery_min_apply_delay).
        var delay = CheckContext.DelayOf(replica);
        string? summary = null;
        var arrived = await EndpointException.Attribute(instance, "waiting for the replay of the batch", () => Polling.UntilAsync(
            async ct => await Polling.UnlessTableMissingAsync(async () => (summary = await replayed.ExecuteScalarAsync(ct) as string) is not null),
            context.Options.Timeout + delay,
            cancellationToken));
        var seen = summary is null ? (Count: 0L, Checksum: string.Empty) : Parse(summary);

        if (!arrived)
        {
            return CheckOutcome.Fail(
                $"{replica.Cluster} did not show the batch of {Counted.Of(rows, "row")} within {(context.Options.Timeout + delay).TotalSeconds:0.#} s{(delay > TimeSpan.Zero ? $" (its {delay.TotalSeconds:0} s delay included)" : string.Empty)}",
                await Diagnoses.ReplicaAsync(context, replica));
        }

        return seen == written
            ? CheckOutcome.Pass($"{Counted.Of(rows, "row")}, md5 {written.Checksum}, identical on {context.Primary.Cluster} and {replica.Cluster}")
            : CheckOutcome.Fail(
                $"{context.Primary.Cluster}: {Counted.Of(written.Count, "row")} md5 {written.Checksum}; {replica.Cluster}: {Counted.Of(seen.Count, "row")} md5 {seen.Checksum}",
                $"the rows on {replica.Cluster} differ from the primary's: the replica does not replay the primary's WAL faithfully");
    }

    private static (long Count, string Checksum) Parse(string summary)
    {
        var parts = summary.Split(' ', 2);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1]);
    }
}

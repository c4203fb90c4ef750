namespace CrossClusterIac.Verify.Checks;

/// <summary>Waiting on a condition the database will eventually report, without a fixed sleep.</summary>
public static class Polling
{
    private static readonly TimeSpan EagerPhase = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(16);

    /// <summary>
    /// Evaluates <paramref name="condition"/> until it holds or <paramref name="limit"/> passes; returns whether it held.
    /// For the first milliseconds attempts run back to back, because replication on a healthy link takes about a
    /// millisecond and any sleep would dominate the lag measured; after that the pauses double, so a slow replica
    /// is not met with a stream of queries that takes CPU from the very servers it waits on.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var pause = FirstPause;
        try
        {
            while (!await condition(deadline.Token))
            {
                if (elapsed.Elapsed >= EagerPhase)
                {
                    await Task.Delay(pause, deadline.Token);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
                }
            }

            return true;
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or Npgsql.NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>
    /// Evaluates a condition that reads the probe table, counting "table missing" as not yet: on a first run the
    /// replica may not have replayed the table's creation.
    /// </summary>
    public static async Task<bool> UnlessTableMissingAsync(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }
}

namespace CrossClusterIac.Verify.Checks;

/// <summary>Waiting on a condition the database will eventually report, without a fixed sleep.</summary>
public static class Polling
{
    private const int EagerAttempts = 200;
    private static readonly TimeSpan BackOff = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Evaluates <paramref name="condition"/> until it holds or <paramref name="limit"/> passes; returns whether it held.
    /// The first attempts run back to back, because replication on a healthy link takes about a millisecond and
    /// any sleep would dominate the lag measured.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (await condition(deadline.Token))
                {
                    return true;
                }

                if (attempt >= EagerAttempts)
                {
                    await Task.Delay(BackOff, deadline.Token);
                }
            }
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

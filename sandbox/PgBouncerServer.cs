using System.Net.Sockets;

namespace CrossClusterIac.Sandbox;

/// <summary>One region's PgBouncer, in front of that region's PostgreSQL.</summary>
public sealed class PgBouncerServer(SandboxRegion region, ServerBinaries binaries, ServerUser user, ProcessLedger ledger)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private RegionLayout Layout => region.Layout;

    /// <summary>Starts PgBouncer as a daemon, records the process its pid file names and waits until it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            throw new SandboxException($"PgBouncer in region {region.Name} already runs (pid {ledger.Find(region.Name, ServerKind.PgBouncer)!.Pid}).", SandboxException.UsageExitCode);
        }

        // Neither the launch nor the wait for the pid file is cancelled half-way: the daemon forks into its own
        // session (src/main.c go_daemon, setsid) and writes its pid file only afterwards (write_pidfile), so an
        // interruption in between would leave a PgBouncer nobody recorded. Both are bounded; the interruption takes
        // effect once the daemon is recorded.
        await ServerCommand.RunAsync(
            user.Command(binaries.PgBouncer, ["-d", Layout.Controller.PgBouncerIni]),
            $"starting PgBouncer in region {region.Name}", StartTimeout, CancellationToken.None, Layout.PgBouncerLog);

        using var limit = new CancellationTokenSource(StartTimeout);
        try
        {
            ProcessIdentity? daemon;
            while ((daemon = ProcessIdentity.FromPidFile(Layout.PgBouncerPid, binaries.PgBouncer)) is null)
            {
                await Task.Delay(10, limit.Token);
            }

            ledger.Record(region.Name, ServerKind.PgBouncer, daemon);
            cancellationToken.ThrowIfCancellationRequested();
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            while (!await AcceptsConnectionsAsync(both.Token))
            {
                await Task.Delay(10, both.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxException($"PgBouncer in region {region.Name} did not start within {StartTimeout.TotalSeconds:0} s. See {Layout.PgBouncerLog}.");
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(SandboxTopology.Address, region.PoolerPort, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Stops PgBouncer if the process the sandbox started still runs.</summary>
    public async Task StopAsync()
    {
        if (ledger.Find(region.Name, ServerKind.PgBouncer) is { } daemon)
        {
            await daemon.TerminateAsync(TimeSpan.FromSeconds(5));
            ledger.Record(region.Name, ServerKind.PgBouncer, null);
        }
    }

    /// <summary>Whether the PgBouncer the sandbox started runs.</summary>
    public bool IsRunning => ledger.Find(region.Name, ServerKind.PgBouncer)?.IsRunning == true;
}

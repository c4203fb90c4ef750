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

        if (await AdoptAsync(cancellationToken))
        {
            return;
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

    /// <summary>
    /// Records the PgBouncer a killed command started for this region but never recorded
    /// (<see cref="LeftoverProcesses.PgBouncer"/>), when the ledger holds none that runs. Returns whether it did.
    /// </summary>
    public bool Adopt()
    {
        if (IsRunning || LeftoverProcesses.PgBouncer(Layout, binaries) is not { } daemon)
        {
            return false;
        }

        ledger.Record(region.Name, ServerKind.PgBouncer, daemon);
        return true;
    }

    /// <summary><see cref="Adopt"/>, then waits until the adopted PgBouncer accepts connections, as a start does. Returns whether it adopted one.</summary>
    /// <exception cref="SandboxException">It does not accept connections within the start timeout.</exception>
    public async Task<bool> AdoptAsync(CancellationToken cancellationToken)
    {
        if (!Adopt())
        {
            return false;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartTimeout);
        try
        {
            while (!await AcceptsConnectionsAsync(limit.Token))
            {
                await Task.Delay(10, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxException($"PgBouncer in region {region.Name}, started by an interrupted command, does not accept connections after {StartTimeout.TotalSeconds:0} s. See {Layout.PgBouncerLog}.");
        }

        return true;
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

    /// <summary>
    /// Makes PgBouncer read its configuration and TLS files again (<see cref="SandboxOnly.ReloadPgBouncer"/>) and waits
    /// until it has. PgBouncer logs the signal as its event loop takes it, before reloading, and serves no other event
    /// until the reload ends; so once the line is logged, a new connection is accepted with the new files. With TLS on,
    /// the reload also marks every server connection to be closed once released (src/sbuf.c sbuf_tls_setup,
    /// tag_pool_dirty), so PgBouncer's next server logins present its new certificate.
    /// </summary>
    /// <exception cref="SandboxException">PgBouncer did not take the signal in time, or kept its old TLS files.</exception>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        const string Reloaded = "got SIGHUP, re-reading config";
        const string Refused = "TLS configuration could not be reloaded";
        var offset = File.Exists(Layout.PgBouncerLog) ? new FileInfo(Layout.PgBouncerLog).Length : 0;
        if (ledger.Find(region.Name, ServerKind.PgBouncer) is not { } daemon || !SandboxOnly.ReloadPgBouncer(daemon))
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartTimeout);
        try
        {
            while (!LogSince(offset).Contains(Reloaded, StringComparison.Ordinal))
            {
                await Task.Delay(10, limit.Token);
            }

            // The refusal is logged within the same event as the signal's line; a moment later it is there if it happened.
            await Task.Delay(20, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxException($"PgBouncer in region {region.Name} did not reload within {StartTimeout.TotalSeconds:0} s. See {Layout.PgBouncerLog}.");
        }

        if (LogSince(offset).Contains(Refused, StringComparison.Ordinal))
        {
            throw new SandboxException($"PgBouncer in region {region.Name} refused the new TLS files and keeps the old ones. See {Layout.PgBouncerLog}.");
        }
    }

    private string LogSince(long offset)
    {
        using var log = new FileStream(Layout.PgBouncerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(Math.Min(offset, log.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        return reader.ReadToEnd();
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

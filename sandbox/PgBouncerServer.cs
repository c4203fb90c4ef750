using System.Net.Sockets;

namespace CrossClusterIac.Sandbox;

/// <summary>One region's PgBouncer, in front of that region's PostgreSQL.</summary>
public sealed class PgBouncerServer(SandboxRegion region, ServerBinaries binaries, ServerUser user)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private RegionLayout Layout => region.Layout;

    /// <summary>Starts PgBouncer as a daemon and waits until it writes its pid file.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ServerCommand.RunAsync(
            user.Command(binaries.PgBouncer, ["-d", Layout.Controller.PgBouncerIni]),
            $"starting PgBouncer in region {region.Name}", StartTimeout, cancellationToken, Layout.PgBouncerLog);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartTimeout);
        try
        {
            while (!IsRunning || !await AcceptsConnectionsAsync(limit.Token))
            {
                await Task.Delay(10, limit.Token);
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

    /// <summary>Stops PgBouncer if it runs.</summary>
    public Task StopAsync() => ProcessSignals.TerminateAsync(ProcessSignals.ReadPidFile(Layout.PgBouncerPid), TimeSpan.FromSeconds(5));

    /// <summary>Whether PgBouncer runs.</summary>
    public bool IsRunning => ProcessSignals.IsRunning(ProcessSignals.ReadPidFile(Layout.PgBouncerPid));
}

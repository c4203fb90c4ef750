using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>The link daemon of a running sandbox, which follows the servers' processes as well as the sandbox's state.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LinkDaemonTests
{
    [Fact]
    public async Task ARouteClosesWhenItsServerExitsBehindTheSandboxsBack()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu"] });
        var route = sandbox.Outputs.Regions[0].Pooler.Port;
        using (var before = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await before.ConnectAsync(IPAddress.Loopback, route);
        }

        // No command of the sandbox sees this exit, so its state does not change: the daemon learns of it from the process.
        System.Diagnostics.Process.GetProcessById(sandbox.State.Processes["eu/pgbouncer"].Pid).Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        SocketError? refused = null;
        while (refused is null && DateTime.UtcNow < deadline)
        {
            using var attempt = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await attempt.ConnectAsync(IPAddress.Loopback, route);
                await Task.Delay(20);
            }
            // A connection queued on the listener as the daemon closes it is reset: the route is closing, not closed yet.
            catch (SocketException e) when (e.SocketErrorCode != SocketError.ConnectionReset)
            {
                refused = e.SocketErrorCode;
            }
            catch (SocketException)
            {
            }
        }

        Assert.Equal(SocketError.ConnectionRefused, refused);
    }

    [Fact]
    public async Task AStoppedServersPortIsKeptFromOtherSandboxesAndTheServerStartsOnItAgain()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu"] });
        var instance = sandbox.State.Regions[0].Port(ServerKind.Postgres);
        var pooler = sandbox.State.Regions[0].Port(ServerKind.PgBouncer);

        await sandbox.StopPoolerAsync("eu");
        await sandbox.StopInstanceAsync("eu");

        // Another sandbox choosing its ports now passes both by.
        Assert.False(FreePorts.IsFree(instance));
        Assert.False(FreePorts.IsFree(pooler));

        await sandbox.StartInstanceAsync("eu");
        await sandbox.StartPoolerAsync("eu");
        var eu = Assert.Single(LocalSandbox.Status(sandbox.Directory)!);
        Assert.True(eu.Running, $"{eu.Postgres} {eu.PgBouncer}");
    }
}

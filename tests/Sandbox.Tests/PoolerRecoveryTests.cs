using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>A pooler whose PostgreSQL went away serves again as soon as PostgreSQL does, not after a login blackout.</summary>
public sealed class PoolerRecoveryTests
{
    // While its last server login failed, PgBouncer refuses every client and tries PostgreSQL again once per
    // server_login_retry (src/objects.c check_fast_fail, launch_new_connection). PostgreSQL is started right after a
    // failed attempt (PgBouncer logs "closing because: connect failed"), so with PgBouncer's default 15 s the first login
    // would pass about 14 s after PostgreSQL returns, with the Pooler's 1 s within about a second. The bound is coarse
    // (6 s, PostgreSQL's start included) on purpose: it tells the two apart on a loaded machine, and timing belongs to
    // the benchmarks.
    [Fact]
    public async Task APoolerServesAgainWithinAboutASecondOfItsPostgresAcceptingConnections()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        using var connections = new Connections(sandbox);
        Task Login() => LoginAsync(connections);
        await Login();

        await sandbox.StopInstanceAsync("eu");
        var refusals = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!refusals.Any(r => r.Contains("server_login_retry", StringComparison.Ordinal)) || refusals.Count < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, $"PgBouncer never refused a login for its failing server: {string.Join("; ", refusals)}");
            refusals.Add((await Assert.ThrowsAnyAsync<NpgsqlException>(Login)).Message);
            await Task.Delay(100);
        }

        var log = sandbox.State.Regions.Single(r => r.Name == "eu").Layout.PgBouncerLog;
        var seen = new FileInfo(log).Length;
        while (!Since(log, seen).Contains("closing because: connect failed", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "PgBouncer did not try PostgreSQL again within 60 s");
            _ = await Assert.ThrowsAnyAsync<NpgsqlException>(Login);
            await Task.Delay(50);
        }

        // Timed from before PostgreSQL starts (about a second here): StartInstanceAsync itself returns only once the
        // poolers serve, as a drill does, so the blackout shows in the time it takes.
        var back = Stopwatch.StartNew();
        await sandbox.StartInstanceAsync("eu");
        while (true)
        {
            try
            {
                await Login();
                break;
            }
            catch (NpgsqlException) when (back.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }

        Assert.True(back.Elapsed < TimeSpan.FromSeconds(6), $"the pooler served again {back.Elapsed.TotalSeconds:0.0} s after PostgreSQL was started");
    }

    private static string Since(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task LoginAsync(Connections connections)
    {
        await using var connection = await connections.OpenAsync(ConnectionTarget.Pooler(connections.Region("eu")), "eu", "app");
    }
}

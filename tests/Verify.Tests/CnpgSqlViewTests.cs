using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The SQL half of the cross-check, on the real servers of a healthy sandbox.</summary>
[Collection(SharedHealthySandbox.Name)]
public sealed class CnpgSqlViewTests(HealthySandbox fixture)
{
    [Fact]
    public async Task TheVerifyRoleSeesTheReplicasStreamingReceiverAndThePrimarysRole()
    {
        await using var context = new CheckContext(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions());

        var replica = await ArchivedAsync(context, "us");
        var primary = await ArchivedAsync(context, "eu");

        Assert.Equal(new SqlView("pg-us", CrossClusterIac.Topology.Outputs.RegionRole.Replica, true, "streaming", "127.0.0.1", replica.LastArchivedWal), replica);
        Assert.Equal(new SqlView("pg-eu", CrossClusterIac.Topology.Outputs.RegionRole.Primary, false, null, "127.0.0.1", primary.LastArchivedWal), primary);
    }

    // Both archive (archive_mode on, and always on the replica, which archives into its own store what it received):
    // the primary the segments of the clone's backup, the replica the segment it restored at start. The archiver
    // runs in the background, so its first report is waited for.
    private static async Task<SqlView> ArchivedAsync(CheckContext context, string region)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var view = await CnpgChecks.SqlViewAsync(context, context.Region(region));
            if (view.LastArchivedWal is not null || limit.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Matches("^[0-9A-F]{24}", view.LastArchivedWal ?? string.Empty);
                return view;
            }

            await Task.Delay(50);
        }
    }
}

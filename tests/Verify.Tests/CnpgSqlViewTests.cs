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
        using var context = new CheckContext(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions());

        var replica = await CnpgChecks.SqlViewAsync(context, context.Region("us"));
        var primary = await CnpgChecks.SqlViewAsync(context, context.Region("eu"));

        Assert.Equal(new SqlView("pg-us", CrossClusterIac.Topology.Outputs.RegionRole.Replica, true, "streaming", "127.0.0.1", null), replica);

        // The sandbox archives nothing (archive_mode off, docs/cnpg-fidelity.md), so pg_stat_archiver has no WAL to name.
        Assert.Equal(new SqlView("pg-eu", CrossClusterIac.Topology.Outputs.RegionRole.Primary, false, null, "127.0.0.1", null), primary);
    }
}

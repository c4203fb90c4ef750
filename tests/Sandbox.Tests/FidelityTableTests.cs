using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Topology;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Every departure of the sandbox from CNPG is listed, with its reason, in docs/cnpg-fidelity.md.</summary>
public sealed class FidelityTableTests
{
    private static readonly string Table = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "cnpg-fidelity.md"));

    public static TheoryData<string> Departures()
    {
        var region = new SandboxRegion("eu", CrossClusterIac.Topology.Outputs.RegionRole.Primary, 1, 2, "/sandbox/eu");
        return new TheoryData<string>(
        [
            .. SandboxOnly.PostgresParameters(region).Keys,
            .. SandboxOnly.PgBouncerParameters(region).Keys,
            "archive_command",
            "restore_command",
            "auth_dbname",
            SandboxOnly.AdministratorRule,
            $"SandboxOnly.{nameof(SandboxOnly.BootstrapSource)}",
            $"SandboxOnly.{nameof(SandboxOnly.Localise)}",
            $"SandboxOnly.{nameof(SandboxOnly.PgBouncerDatabaseTarget)}",
            $"SandboxOnly.{nameof(SandboxOnly.ReloadPgBouncer)}",
            $"SandboxOnly.{nameof(SandboxOnly.ObjectStore)}",
            $"SandboxOnly.{nameof(SandboxOnly.ArchiveCommand)}",
            $"SandboxOnly.{nameof(SandboxOnly.RestoreCommand)}",
        ]);
    }

    [Theory]
    [MemberData(nameof(Departures))]
    public void DepartureIsListedInTheFidelityTable(string departure) =>
        Assert.Contains($"`{departure}`", Table, StringComparison.Ordinal);
}

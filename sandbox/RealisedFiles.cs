using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Writes what CNPG would write in a region's pods, from the region's <see cref="RegionRealisation"/>, with the
/// departures of <see cref="SandboxOnly"/> and nothing else.
/// </summary>
internal static class RealisedFiles
{
    /// <summary>The certificates, keys and external-cluster secrets of the instance and the pooler, each 0600 as CNPG writes them.</summary>
    public static void WriteController(RegionRealisation realisation)
    {
        WriteInstanceCertificates(realisation);
        WritePoolerCertificates(realisation);
    }

    /// <summary>What the instance manager writes when a Secret the Cluster uses changes (RefreshSecrets, external.go).</summary>
    public static void WriteInstanceCertificates(RegionRealisation realisation) =>
        WriteSecrets(realisation.Instance.Certificates.Concat(realisation.Instance.Source?.Files ?? []));

    /// <summary>What the PgBouncer pods' manager writes on an event of its Pooler (pgbouncer config BuildConfigurationFiles).</summary>
    public static void WritePoolerCertificates(RegionRealisation realisation) => WriteSecrets(realisation.Pooler.Files);

    /// <summary>Records what the region's processes were told of (<see cref="RegionLayout.Watched"/>).</summary>
    public static void WriteWatched(SandboxRegion region, ProcessWatch watch) =>
        Replace(region.Layout.Watched, System.Text.Json.JsonSerializer.Serialize(watch));

    /// <summary>What the region's processes were last told of, or <c>null</c> when nothing was recorded.</summary>
    public static ProcessWatch? ReadWatched(SandboxRegion region) =>
        File.Exists(region.Layout.Watched) ? System.Text.Json.JsonSerializer.Deserialize<ProcessWatch>(File.ReadAllText(region.Layout.Watched)) : null;

    /// <summary>
    /// The files CNPG writes when a Cluster's source changes: the new source's <c>external/&lt;entry&gt;/</c> secrets
    /// (<c>pkg/management/external/external.go</c> ConfigureConnectionToServer). The instance's and pooler's own
    /// certificates come from Secrets a switchover does not change, so they are left as they are.
    /// </summary>
    public static void WriteSource(ClusterInstance instance) => WriteSecrets(instance.Source?.Files ?? []);

    /// <summary>
    /// PGDATA's <c>pg_hba.conf</c>, <c>pg_ident.conf</c>, <c>custom.conf</c> and <c>override.conf</c> (plus
    /// <c>standby.signal</c> in a replica cluster), and the includes CNPG adds to <c>postgresql.conf</c>; the archive and
    /// restore commands use the object stores under <paramref name="sandboxDirectory"/>.
    /// </summary>
    public static void WriteInstance(SandboxRegion region, ClusterInstance instance, IReadOnlyList<SandboxRegion> regions, SandboxLinks links, string sandboxDirectory)
    {
        var data = region.Layout.Data;
        Replace(Path.Combine(data, "pg_hba.conf"), $"{SandboxOnly.AdministratorRule}\n{instance.HbaFile}");
        Replace(Path.Combine(data, "pg_ident.conf"), $"{instance.IdentFile}{SandboxOnly.AdministratorMap} {SandboxOnly.AdministratorRole} {SandboxOnly.AdministratorRole}\n");

        var parameters = Overlay(instance.Parameters, SandboxOnly.PostgresParameters(region));
        parameters["archive_command"] = SandboxOnly.ArchiveCommand(sandboxDirectory, instance.Wal.ArchiveTo);
        Replace(Path.Combine(data, "custom.conf"), InstanceParameters.Render(parameters));
        var recovery = instance.Source is { } source
            ? new Dictionary<string, string>(instance.RecoveryParameters(ConnectionString.Render(SandboxOnly.Localise(source.Parameters, region, regions, links)))!, StringComparer.Ordinal)
            {
                ["restore_command"] = SandboxOnly.RestoreCommand(sandboxDirectory, instance.Wal.RestoreFrom),
            }
            : new Dictionary<string, string>(StringComparer.Ordinal);
        Replace(Path.Combine(data, "override.conf"), InstanceParameters.Render(recovery));
        if (instance.Source is not null)
        {
            File.WriteAllText(Path.Combine(data, "standby.signal"), string.Empty);
        }

        // pkg/configfile EnsureIncludes: postgresql.conf includes both files CNPG owns.
        var main = Path.Combine(data, "postgresql.conf");
        var includes = new[] { "include 'custom.conf'", "include 'override.conf'" };
        var lines = File.ReadAllLines(main);
        File.AppendAllLines(main, includes.Where(i => !lines.Contains(i, StringComparer.Ordinal)));
    }

    /// <summary><c>pgbouncer.ini</c>, with the sandbox's address, port and daemon files over CNPG's values.</summary>
    public static void WritePooler(SandboxRegion region, PgBouncerConfiguration pooler, IReadOnlyList<SandboxRegion> regions, SandboxLinks links)
    {
        var ini = (pooler with { Parameters = Overlay(pooler.Parameters, SandboxOnly.PgBouncerParameters(region)) }).Render(SandboxOnly.PgBouncerDatabaseTarget(pooler.DatabaseHost, region, regions, links), SandboxOnly.PgBouncerKnowsAuthDatabase);
        Directory.CreateDirectory(Path.GetDirectoryName(region.Layout.Controller.PgBouncerIni)!);
        Directory.CreateDirectory(region.Layout.Controller.SocketDirectory);
        Replace(region.Layout.Controller.PgBouncerIni, ini);
    }

    // CNPG's values with the sandbox's over them.
    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string> cnpg, IReadOnlyDictionary<string, string> sandbox) =>
        cnpg.Where(p => !sandbox.ContainsKey(p.Key)).Concat(sandbox).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    // Every file is replaced by a rename, never rewritten in place, as CNPG's PgBouncer manager writes its configuration
    // (internal/pgbouncer/management/controller/refresh.go refreshConfigurationFiles: fileutils.WriteFileAtomic, 0600):
    // a server reloading, or a command run again after a kill, reads the old content or the new, never half of either.
    private static void Replace(string path, string content) => SecretFile.Write(path, content);

    private static void WriteSecrets(IEnumerable<ConfigFile> files)
    {
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            SecretFile.Write(file.Path, file.Content);
        }
    }
}

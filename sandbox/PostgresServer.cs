using CliWrap;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Sandbox;

/// <summary>One region's PostgreSQL 15 instance: created with initdb on the primary, cloned over mTLS elsewhere.</summary>
public sealed class PostgresServer(SandboxRegion region, ServerBinaries binaries, ServerUser user)
{
    private static readonly TimeSpan InitdbTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan BaseBackupTimeout = TimeSpan.FromSeconds(60);

    private RegionLayout Layout => region.Layout;

    /// <summary>Creates the primary's data directory and its roles and database.</summary>
    public async Task InitializeAsync(string database, string owner, CancellationToken cancellationToken)
    {
        await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("initdb"), ["-D", Layout.Data, "-U", ServerConfiguration.AdministratorRole, "-E", "UTF8", "--locale=C", "--auth=reject", "--no-sync", "--no-instructions"]),
            $"initdb for region {region.Name}", InitdbTimeout, cancellationToken);

        // Single-user mode creates the roles before the server accepts any connection, so no bootstrap access path exists.
        await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("postgres"), ["--single", "-D", Layout.Data, "-c", $"config_file={Layout.PostgresConfig}", "postgres"])
                .WithStandardInputPipe(PipeSource.FromString(ServerConfiguration.Roles(database, owner))),
            $"creating roles in region {region.Name}", InitdbTimeout, cancellationToken);
    }

    /// <summary>
    /// Clones the primary with <c>pg_basebackup</c> as <c>streaming_replica</c>, over TLS checked with verify-full
    /// against the primary's service name, and leaves the standby configured to stream the same way.
    /// </summary>
    public async Task CloneAsync(SandboxRegion primary, CancellationToken cancellationToken)
    {
        var source = string.Join(" ",
            $"host={LocalSandbox.Names(primary.Name).ReadWriteService}",
            $"hostaddr={SandboxTopology.Address}",
            $"port={primary.InstancePort}",
            $"user={RoleNames.StreamingReplica}",
            $"application_name={LocalSandbox.Names(region.Name).Cluster}",
            "sslmode=verify-full",
            $"sslcert={Layout.ReplicationCertificate}",
            $"sslkey={Layout.ReplicationKey}",
            $"sslrootcert={Layout.RootCertificate}",
            "connect_timeout=5");
        await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_basebackup"), ["-D", Layout.Data, "-d", source, "-X", "stream", "-R", "-c", "fast", "--no-sync"]),
            $"base backup of region {primary.Name} into region {region.Name}", BaseBackupTimeout, cancellationToken);
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_ctl"), ["start", "-D", Layout.Data, "-l", Layout.PostgresLog, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", $"-c config_file={Layout.PostgresConfig}"]),
            $"starting PostgreSQL in region {region.Name}", StartTimeout + TimeSpan.FromSeconds(5), cancellationToken, Layout.PostgresLog);

    /// <summary>Stops the server if it runs: a fast shutdown, then a kill if it does not go in time.</summary>
    public async Task StopAsync()
    {
        var pid = ProcessSignals.ReadPidFile(Layout.PostmasterPid);
        if (!ProcessSignals.IsRunning(pid))
        {
            return;
        }

        try
        {
            await ServerCommand.RunAsync(
                user.Command(binaries.Postgres("pg_ctl"), ["stop", "-D", Layout.Data, "-m", "fast", "-w", "-t", ((int)StopTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]),
                $"stopping PostgreSQL in region {region.Name}", StopTimeout + TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (SandboxException)
        {
            // pg_ctl could not stop it in time; the postmaster must still go.
        }

        await ProcessSignals.TerminateAsync(pid, TimeSpan.FromSeconds(2));
    }

    /// <summary>Whether the postmaster runs.</summary>
    public bool IsRunning => ProcessSignals.IsRunning(ProcessSignals.ReadPidFile(Layout.PostmasterPid));
}

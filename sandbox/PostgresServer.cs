using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Sandbox;

/// <summary>One region's PostgreSQL 15 instance: created with initdb in the primary region, cloned over mTLS elsewhere.</summary>
public sealed class PostgresServer(SandboxRegion region, ServerBinaries binaries, ServerUser user, ProcessLedger ledger)
{
    // A one-shot server binary: initdb, single-user SQL, pg_controldata, pg_waldump, an archive of a segment.
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan BaseBackupTimeout = TimeSpan.FromSeconds(60);

    private RegionLayout Layout => region.Layout;

    /// <summary>Creates the data directory as CNPG's initdb job does (<c>initdb --username postgres</c>, UTF8, C locale).</summary>
    /// <remarks>
    /// Not cancelled half-way: run as root, the command is runuser, and initdb with the postgres processes it starts
    /// would outlive a killed runuser for a moment, in a directory being removed (a clean-clone run caught one). It
    /// takes about a second, bounded by <see cref="CommandTimeout"/>; an interruption takes effect once it has ended.
    /// </remarks>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("initdb"), ["-D", Layout.Data, "--username", SandboxOnly.AdministratorRole, "--encoding", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]),
            $"initdb for region {region.Name}", CommandTimeout, CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Runs <paramref name="batches"/> in single-user mode, each in its database, before the server accepts any
    /// connection: what CNPG runs through a temporary instance reachable only from inside the pod.
    /// </summary>
    public async Task RunSqlAsync(IReadOnlyList<SqlBatch> batches, CancellationToken cancellationToken)
    {
        foreach (var batch in batches.Where(b => b.Statements.Count > 0))
        {
            // -j: a statement ends with a semicolon and an empty line, so statements may span lines.
            var script = string.Concat(batch.Statements.Select(s => $"{s.TrimEnd().TrimEnd(';')};\n\n"));
            // Not cancelled half-way, as initdb (see InitializeAsync): a single-user postgres would outlive runuser.
            var result = await ServerCommand.RunAsync(
                user.Command(binaries.Postgres("postgres"), ["--single", "-j", "-D", Layout.Data, batch.Database])
                    .WithStandardInputPipe(PipeSource.FromString(script)),
                $"setting up roles and databases in region {region.Name}", CommandTimeout, CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();

            // Single-user mode reports a failed statement on standard error and still exits 0.
            if (result.StandardError.Contains("ERROR:", StringComparison.Ordinal))
            {
                throw new SandboxException($"setting up region {region.Name} in database {batch.Database} failed: {result.StandardError.Trim()}");
            }
        }
    }

    /// <summary>
    /// Clones <paramref name="source"/> with <c>pg_basebackup</c> (see <see cref="SandboxOnly.BootstrapSource"/>),
    /// leaving the standby's configuration to be written from the manifests.
    /// </summary>
    public Task CloneAsync(IReadOnlyDictionary<string, string> source, CancellationToken cancellationToken) =>
        ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_basebackup"), ["-D", Layout.Data, "-d", ConnectionString.Render(source), "-X", "stream", "-c", "fast", "--no-sync"]),
            $"base backup into region {region.Name}", BaseBackupTimeout, cancellationToken);

    /// <summary>
    /// Starts the server, waits until it accepts connections and records its postmaster as the sandbox's own; a
    /// postmaster a killed command started on this data directory is adopted instead (<see cref="AdoptAsync"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            throw new SandboxException($"PostgreSQL in region {region.Name} already runs (pid {ledger.Find(region.Name, ServerKind.Postgres)!.Pid}).", SandboxException.UsageExitCode);
        }

        if (await AdoptAsync(cancellationToken))
        {
            return;
        }

        // Not cancelled half-way: the postmaster detaches from pg_ctl (its own session), so killing pg_ctl would leave
        // a server nobody recorded. pg_ctl's own -t bounds the wait; an interruption takes effect once it is recorded.
        await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_ctl"), ["start", "-D", Layout.Data, "-l", Layout.PostgresLog, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            $"starting PostgreSQL in region {region.Name}", StartTimeout + TimeSpan.FromSeconds(5), CancellationToken.None, Layout.PostgresLog);

        // pg_ctl -w returns once postmaster.pid names a postmaster that accepts connections; the pid is taken from
        // there once, checked to be PostgreSQL, and from then on only the recorded identity is trusted.
        ledger.Record(region.Name, ServerKind.Postgres, ProcessIdentity.FromPidFile(Layout.PostmasterPid, binaries.Postgres("postgres"))
            ?? throw new SandboxException($"PostgreSQL in region {region.Name} started but {Layout.PostmasterPid} names no running postgres. See {Layout.PostgresLog}."));
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Records the postmaster a killed command started on this data directory but never recorded
    /// (<see cref="LeftoverProcesses.Postmaster"/>), when the ledger holds none that runs. Returns whether it did.
    /// </summary>
    public bool Adopt()
    {
        if (IsRunning || LeftoverProcesses.Postmaster(Layout, binaries) is not { } postmaster)
        {
            return false;
        }

        ledger.Record(region.Name, ServerKind.Postgres, postmaster);
        return true;
    }

    /// <summary>
    /// <see cref="Adopt"/>, then waits as <c>pg_ctl -w</c> would have until the adopted postmaster accepts connections:
    /// its <c>postmaster.pid</c> status line says <c>ready</c> or <c>standby</c> (src/bin/pg_ctl/pg_ctl.c
    /// wait_for_postmaster_start). One that ends meanwhile is recorded as stopped. Returns whether one runs adopted.
    /// </summary>
    /// <exception cref="SandboxException">It neither accepts connections nor ends within the start timeout.</exception>
    public async Task<bool> AdoptAsync(CancellationToken cancellationToken)
    {
        if (!Adopt())
        {
            return false;
        }

        var deadline = DateTime.UtcNow + StartTimeout;
        while (IsRunning && PostmasterStatus() is not ("ready" or "standby"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"PostgreSQL in region {region.Name} (pid {ledger.Find(region.Name, ServerKind.Postgres)!.Pid}), started by an interrupted command, does not accept connections after {StartTimeout.TotalSeconds:0} s. See {Layout.PostgresLog}.");
            }

            await Task.Delay(20, cancellationToken);
        }

        if (!IsRunning)
        {
            ledger.Record(region.Name, ServerKind.Postgres, null);
            return false;
        }

        return true;
    }

    /// <summary>Stops the server if the process the sandbox started still runs: a fast shutdown, then immediate, then a kill.</summary>
    public async Task StopAsync()
    {
        if (ledger.Find(region.Name, ServerKind.Postgres) is { } postmaster)
        {
            await postmaster.StopPostmasterAsync(StopTimeout);
            ledger.Record(region.Name, ServerKind.Postgres, null);
        }
    }

    /// <summary>
    /// Stops the server as a crash would: an immediate shutdown (SIGQUIT), which writes no shutdown checkpoint and
    /// lets no walsender send what it has not sent yet; then SIGKILL.
    /// </summary>
    public async Task CrashAsync()
    {
        if (ledger.Find(region.Name, ServerKind.Postgres) is { } postmaster)
        {
            await postmaster.CrashPostmasterAsync(StopTimeout);
            ledger.Record(region.Name, ServerKind.Postgres, null);
        }
    }

    /// <summary><c>pg_controldata</c> of the data directory, in the C locale (its labels are translated otherwise), read as CNPG reads it.</summary>
    public async Task<ControlData> ControlDataAsync(CancellationToken cancellationToken)
    {
        var result = await ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_controldata"), ["-D", Layout.Data]).WithEnvironmentVariables(e => e.Set("LC_ALL", "C")),
            $"pg_controldata in region {region.Name}", CommandTimeout, cancellationToken);
        return ControlData.Parse(result.StandardOutput);
    }

    /// <summary>
    /// What this stopped server's own <c>pg_wal</c> holds after <paramref name="from"/> on the timeline of its latest
    /// checkpoint (pg_controldata "Latest checkpoint's TimeLineID"), read with <c>pg_waldump</c> (see
    /// <see cref="UnreplayedWal"/>); <c>null</c> when the data directory or that WAL cannot be read.
    /// </summary>
    public async Task<UnreplayedWal?> WalAfterAsync(Lsn from, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(Layout.Data, "pg_wal")))
        {
            return null;
        }

        ControlData control;
        try
        {
            control = await ControlDataAsync(cancellationToken);
        }
        catch (SandboxException)
        {
            return null;
        }

        if (!ulong.TryParse(control.Get("Bytes per WAL segment"), System.Globalization.CultureInfo.InvariantCulture, out var segmentSize)
            || control.Get("Latest checkpoint's TimeLineID") is not { } timeline)
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CommandTimeout);
        try
        {
            var dump = await user.Command(binaries.Postgres("pg_waldump"), ["--path", Path.Combine(Layout.Data, "pg_wal"), "--timeline", timeline, "--start", from.ToString(), "--rmgr", "Transaction"])
                .WithEnvironmentVariables(e => e.Set("LC_ALL", "C"))
                .ExecuteBufferedAsync(limit.Token);
            return UnreplayedWal.Parse(from, segmentSize, dump.StandardOutput, dump.StandardError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Archives the stopped server's <paramref name="walFile"/> (its shutdown checkpoint's REDO segment) as
    /// <c>&lt;walFile&gt;.partial</c> through <paramref name="archiveCommand"/>, as CNPG's instance manager does for the
    /// demotion token (pkg/management/postgres/webserver/remote.go pgArchivePartial: hard-links pg_wal/&lt;file&gt; to
    /// pg_wal/&lt;file&gt;.partial, runs wal-archive on that relative path in PGDATA, removes the link). A link left by an
    /// interrupted run is made again, so running the switchover again archives it again.
    /// </summary>
    /// <exception cref="SandboxException">The archive command failed: CNPG then fails the token ("could not archive shutdown checkpoint wal file").</exception>
    public async Task ArchivePartialAsync(string archiveCommand, string walFile, CancellationToken cancellationToken)
    {
        var partial = Path.Combine("pg_wal", $"{walFile}.partial");
        var partialPath = Path.Combine(Layout.Data, partial);
        File.Delete(partialPath);
        LibC.HardLink(Path.Combine(Layout.Data, "pg_wal", walFile), partialPath);
        try
        {
            await ServerCommand.RunAsync(
                user.Command("/bin/sh", ["-c", WalCommandLine.Expand(archiveCommand, Path.GetFileName(partial), partial)]).WithWorkingDirectory(Layout.Data),
                $"archiving {partial} of region {region.Name}", CommandTimeout, cancellationToken);
        }
        finally
        {
            File.Delete(partialPath);
        }
    }

    /// <summary>Promotes the standby and waits until it accepts writes, as CNPG's PromoteAndWait (<c>pg_ctl -w promote</c>).</summary>
    public Task PromoteAsync(CancellationToken cancellationToken) =>
        ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_ctl"), ["promote", "-D", Layout.Data, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            $"promoting PostgreSQL in region {region.Name}", StartTimeout + TimeSpan.FromSeconds(5), cancellationToken, Layout.PostgresLog);

    /// <summary>Makes the running server read its configuration files again (CNPG reloads after rewriting them).</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) =>
        ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_ctl"), ["reload", "-D", Layout.Data]),
            $"reloading PostgreSQL in region {region.Name}", StopTimeout, cancellationToken, Layout.PostgresLog);

    /// <summary>
    /// Rewinds the stopped data directory onto <paramref name="source"/>'s timeline with <c>pg_rewind</c>, as CNPG's
    /// Instance.Rewind (<c>pkg/management/postgres/instance.go</c>) does, as <c>streaming_replica</c>, whose grants
    /// (pg_ls_dir, pg_stat_file, pg_read_binary_file) CNPG makes for exactly this. pg_rewind decides whether anything
    /// needs rewinding, and first finishes the crash recovery of a server that was not shut down cleanly.
    /// </summary>
    public Task RewindAsync(IReadOnlyDictionary<string, string> source, CancellationToken cancellationToken) =>
        ServerCommand.RunAsync(
            user.Command(binaries.Postgres("pg_rewind"), ["--target-pgdata", Layout.Data, "--source-server", ConnectionString.Render(source), "--no-sync"]),
            $"pg_rewind of region {region.Name}", BaseBackupTimeout, cancellationToken);

    /// <summary>
    /// Whether a <c>pg_rewind</c> completed on this data directory and it has not started since: pg_rewind writes
    /// <c>backup_label</c>, then, last, a control file in archive recovery (PostgreSQL 15 src/bin/pg_rewind/pg_rewind.c
    /// main: createBackupLabel, then DB_IN_ARCHIVE_RECOVERY and update_controlfile); a start renames the label. Run
    /// again on such a directory, pg_rewind would first finish its "crash recovery" in single-user mode, which ends
    /// recovery on the source's timeline with a checkpoint of its own, so the standby could no longer follow the source.
    /// </summary>
    public async Task<bool> IsRewoundAsync(CancellationToken cancellationToken) =>
        File.Exists(Path.Combine(Layout.Data, "backup_label"))
        && (await ControlDataAsync(cancellationToken)).Get("Database cluster state") == "in archive recovery";

    /// <summary>
    /// Whether the data directory is a primary's, as CNPG's Instance.IsPrimary reads it (pkg/management/postgres/instance.go:
    /// no <c>standby.signal</c>), whether or not the server runs. PostgreSQL 15 removes the file as a promotion ends
    /// recovery, before it writes the new timeline's history or any checkpoint on it (src/backend/access/transam/xlog.c
    /// StartupXLOG), so a promotion that has begun reads as a primary here before <c>pg_is_in_recovery()</c> says so.
    /// </summary>
    public bool IsPrimary => !File.Exists(Path.Combine(Layout.Data, "standby.signal"));

    // The eighth line of postmaster.pid (LOCK_FILE_LINE_PM_STATUS), padded with spaces; null before it is written.
    private string? PostmasterStatus()
    {
        try
        {
            return File.ReadLines(Layout.PostmasterPid).Skip(7).FirstOrDefault()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The server's log, named in diagnoses.</summary>
    public string LogPath => Layout.PostgresLog;

    /// <summary>Whether the postmaster the sandbox started runs.</summary>
    public bool IsRunning => ledger.Find(region.Name, ServerKind.Postgres)?.IsRunning == true;
}

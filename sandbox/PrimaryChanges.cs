using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Switchover and failover on the running sandbox, done to PostgreSQL as CNPG v1.30 does them from the Clusters of
/// each phase (<see cref="Topology.Naming.ReplicaRoles"/>): every configuration change is the realisation of that
/// phase's manifests; what CNPG's operator and instance manager do between phases is done here, step by step, each
/// step recorded in <c>sandbox.json</c> first so that running the command again resumes where it stopped.
/// </summary>
internal sealed class PrimaryChanges(ProcessLedger ledger, ServerBinaries binaries, ServerUser user)
{
    // CNPG requeues a retryable token verification every 10 s; the sandbox looks again sooner, for as long as this.
    private static readonly TimeSpan PromotionWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PromotionPoll = TimeSpan.FromMilliseconds(100);

    private AdministratorSql? _sql;

    private SandboxState State => ledger.State;

    private string OutputsPath => Path.Combine(ledger.Directory, LocalSandbox.OutputsFileName);

    /// <summary>
    /// A controlled switchover to <paramref name="target"/>: demote the primary (CHECKPOINT, fast shutdown, standby of
    /// the target), make its demotion token from <c>pg_controldata</c>, restart it as a standby, then promote the
    /// target once its restartpoint is exactly the token's checkpoint, and point every other region at it.
    /// </summary>
    public async Task<PrimaryChangeReport> SwitchoverAsync(string target, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var change = Begin(target, failover: false);
        var from = change.From;
        var old = Server(from);
        if (change.PromotionToken is null)
        {
            var demoted = Realise(new SwitchoverConfig { To = target });
            if (old.IsRunning)
            {
                progress.Report($"Demoting pg-{from}: CHECKPOINT, then a fast shutdown");
                await Sql().ExecuteAsync(from, "CHECKPOINT", cancellationToken);
                await old.StopAsync();
            }

            await WriteAsync(from, demoted, cancellationToken);
            var token = await DemotionTokenAsync(old, from, target, progress, cancellationToken);

            // The token is recorded only once its segment is archived, as CNPG patches .status.demotionToken only after
            // archiving the shutdown checkpoint's segment (pkg/reconciler/replicaclusterswitch/shutdown_wal.go
            // generateDemotionToken, ArchivePartialWAL): a target that replays the archive only restores it from there.
            // Through the region's own archive_command, into its own store; with none, nothing is kept, as CNPG's
            // wal-archive keeps nothing with no store configured.
            var archived = string.Empty;
            if (demoted[from].Instance.Wal.ArchiveTo is { } store)
            {
                // pgArchivePartial answers COULD_NOT_PARSE_REDOWAL_FILE without it.
                var redo = token.RedoWalFile ?? throw new SandboxException($"pg_controldata of pg-{from} names no \"Latest checkpoint's REDO WAL file\", which CNPG archives as .partial with the demotion token; run the switchover again.");
                await old.ArchivePartialAsync(SandboxOnly.ArchiveCommand(ledger.Directory, store), redo, cancellationToken);
                archived = $"; {token.RedoWalFile}.partial archived into {store.ObjectStore}";
            }

            change = change with { PromotionToken = token.Encode() };
            ledger.Update(s => s with { Change = change });
            progress.Report($"pg-{from} is shut down; demotion token: timeline {token.LatestCheckpointTimelineId}, checkpoint REDO {token.LatestCheckpointRedoLocation} ({token.RedoWalFile}){archived}");
        }

        if (!old.IsRunning)
        {
            // CNPG unfences the old primary once the token is in its status; standby.signal makes it a standby of the target.
            await old.StartAsync(cancellationToken);
            progress.Report($"pg-{from} runs again as a standby of pg-{target}");
        }

        var promoted = Realise(new SwitchoverConfig { To = target, PromotionToken = change.PromotionToken });
        await PromoteAsync(target, PromotionToken.Parse(change.PromotionToken!), progress, cancellationToken);
        return await CompleteAsync(change, promoted, progress, lostBytes: null, commitsLost: null, cancellationToken);
    }

    /// <summary>
    /// The demotion token of the stopped old primary, from its <c>pg_controldata</c>. CNPG makes one only from a shut
    /// down instance and otherwise waits for the shutdown (pkg/reconciler/replicaclusterswitch/shutdown_wal.go
    /// generateDemotionToken, errPostgresNotShutDown). A data directory a stop did not leave shut down (the fast
    /// shutdown ran out of time and was escalated, or a killed command left it mid-way) gets that shutdown here: it
    /// starts as the standby its files now make it, which first finishes its crash recovery, and is stopped again.
    /// </summary>
    private async Task<PromotionToken> DemotionTokenAsync(PostgresServer old, string from, string target, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var control = await old.ControlDataAsync(cancellationToken);
        if (!IsShutDown(control))
        {
            progress.Report($"pg-{from} is not shut down (cluster state '{control.Get("Database cluster state")}'); starting it as a standby of pg-{target} to shut it down cleanly");
            await old.StartAsync(cancellationToken);
            await Sql().ExecuteAsync(from, "CHECKPOINT", cancellationToken);
            await old.StopAsync();
            control = await old.ControlDataAsync(cancellationToken);
        }

        return IsShutDown(control)
            ? PromotionToken.FromShutDownInstance(control)
            : throw new SandboxException($"pg-{from} is still not shut down (cluster state '{control.Get("Database cluster state")}') after a fast shutdown, so CNPG would make no demotion token from it. See {old.LogPath}; run `sandbox switchover --to {target}` again once it stops cleanly.");
    }

    // pkg/utils/parser.go PgDataState.IsShutdown: "shut down" or "shut down in recovery".
    private static bool IsShutDown(ControlData control) => control.Get("Database cluster state") is "shut down" or "shut down in recovery";

    /// <summary>
    /// A failover to <paramref name="target"/>: the primary is crashed (the drill for a region that is gone), the
    /// target replays what it received and is promoted without a token, and the old primary is fenced: it starts
    /// again only rewound onto the new timeline, as a standby.
    /// </summary>
    public async Task<PrimaryChangeReport> FailoverAsync(string target, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var change = Begin(target, failover: true);
        var from = change.From;
        Lsn? reported = null;
        if (!State.Fenced.Contains(from))
        {
            // What the target last heard of the primary's end of WAL (pg_stat_wal_receiver.latest_end_lsn, from the
            // primary's keepalives), read while it still streams: once the primary is gone the receiver's row is too.
            reported = await ReceivedAsync(target, cancellationToken);
            var old = Server(from);
            if (old.IsRunning)
            {
                progress.Report($"Crashing pg-{from} (immediate shutdown): the primary region is gone");
                await old.CrashAsync();
            }

            ledger.Update(s => s with { Fenced = [.. s.Fenced, from] });
        }

        var replayed = await ReplayedAsync(target, cancellationToken);

        // The drill's region is gone, but its data directory is still here: what it wrote that the target never
        // replayed is in its own pg_wal, and that is exactly what this failover loses. Without it, only what the
        // target last heard of the primary's end of WAL is known, which a partition stops it from hearing.
        var unreplayed = await Server(from).WalAfterAsync(replayed, cancellationToken);
        var lostBytes = unreplayed?.Bytes ?? (reported is { } r ? r.BytesAfter(replayed) : null);
        progress.Report(unreplayed is { } wal
            ? $"pg-{from} committed {wal.Commits} transactions ({wal.Bytes} bytes of WAL) after the last position pg-{target} replayed ({replayed}); they are lost"
            : lostBytes is null
                ? $"pg-{target} replayed up to {replayed}; what pg-{from} wrote after pg-{target} last heard from it is lost"
                : $"pg-{from} last reported WAL up to {reported}; pg-{target} replayed up to {replayed}: {lostBytes} bytes of WAL it never got may be lost");

        var promoted = Realise(null, primary: target);
        if (await InRecoveryAsync(target, cancellationToken))
        {
            // Before the promotion: once promoted, the target's replay position no longer says where its timeline forks.
            await FenceDivergedAsync(target, replayed, progress, cancellationToken);
            progress.Report($"Promoting pg-{target} without a token");
            await PromoteNowAsync(target, cancellationToken);
        }

        return await CompleteAsync(change, promoted, progress, lostBytes, unreplayed?.Commits, cancellationToken);
    }

    /// <summary>
    /// Fences every other replica that replayed past <paramref name="forkPoint"/>, where the target's new timeline will
    /// fork: PostgreSQL follows a new timeline only from a position at or before its fork ("requested timeline is not a
    /// child of this server's history", src/backend/access/transam/xlogrecovery.c rescanLatestTimeLine), so such a
    /// replica cannot follow the promoted target and needs a rebuild (CNPG) or a rewind (`sandbox start`).
    /// </summary>
    private async Task FenceDivergedAsync(string target, Lsn forkPoint, IProgress<string> progress, CancellationToken cancellationToken)
    {
        foreach (var region in State.Regions.Select(r => r.Name).Where(r => r != target && !State.Fenced.Contains(r)))
        {
            var server = Server(region);
            if (!server.IsRunning || !await InRecoveryAsync(region, cancellationToken))
            {
                continue;
            }

            var position = await ReplayedAsync(region, cancellationToken);
            if (position.Value <= forkPoint.Value)
            {
                continue;
            }

            progress.Report($"pg-{region} replayed up to {position}, past {forkPoint} where pg-{target}'s new timeline forks: it cannot follow pg-{target}; fenced until `sandbox start {region}` rewinds it (a failover to pg-{region} would have lost less)");
            await server.StopAsync();
            ledger.Update(s => s with { Fenced = [.. s.Fenced, region] });
        }
    }

    /// <summary>
    /// Promotes <paramref name="target"/> with <paramref name="token"/> once CNPG's instance manager would: after a
    /// CHECKPOINT, its restartpoint must be exactly the token's (pkg/promotiontoken); a retryable verdict waits, a
    /// fatal one refuses for good, leaving the target a standby.
    /// </summary>
    /// <exception cref="SandboxException">The token is refused, or the target does not reach it in time.</exception>
    public async Task PromoteAsync(string target, PromotionToken token, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var server = Server(target);
        var deadline = DateTime.UtcNow + PromotionWait;
        string? waitingFor = null;
        while (await InRecoveryAsync(target, cancellationToken))
        {
            // CNPG verifies the token only while the data directory is a standby's (internal/management/controller/
            // instance_controller.go reconcilePrimary: IsPrimary, then verifyPromotionToken): a promotion that an
            // interrupted run began has left the token's timeline, so it is finished, not judged again.
            if (server.IsPrimary)
            {
                await PromoteNowAsync(target, cancellationToken);
                break;
            }

            await Sql().ExecuteAsync(target, "CHECKPOINT", cancellationToken);
            var control = await server.ControlDataAsync(cancellationToken);

            // A promotion under way may have removed standby.signal and checkpointed on its new timeline since the
            // look above; standby.signal still there after pg_controldata read means the checkpoint read is the standby's.
            if (server.IsPrimary)
            {
                continue;
            }

            var verdict = token.VerifyAgainst(control);
            switch (verdict.Outcome)
            {
                case TokenOutcome.Promote:
                    progress.Report($"pg-{target} replayed the token's checkpoint; promoting it");
                    await PromoteNowAsync(target, cancellationToken);
                    break;
                case TokenOutcome.Refuse:
                    throw new SandboxException($"pg-{target} refuses the promotion token: {verdict.Reason}. CNPG sets the Cluster's phase to Unrecoverable (\"Promotion token content is not correct for current instance\") and never promotes with it; pg-{target} is still a standby.");
                default:
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new SandboxException($"pg-{target} did not reach the promotion token within {PromotionWait.TotalSeconds:0} s: {verdict.Reason}. Run the switchover again to keep waiting.");
                    }

                    if (verdict.Reason != waitingFor)
                    {
                        progress.Report($"pg-{target}: {verdict.Reason}");
                        waitingFor = verdict.Reason;
                    }

                    await Task.Delay(PromotionPoll, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>Starts a former primary that a failover fenced: rewound onto the new primary's timeline, then a standby of it.</summary>
    public async Task RejoinAsync(string region, CancellationToken cancellationToken)
    {
        var realised = Realise(null, primary: State.PrimaryRegion);
        var source = realised[region].Instance.Source
            ?? throw new SandboxException($"pg-{region} has no source to rejoin: it is the primary.");
        var entry = State.Regions.Single(r => r.Name == region);
        // The certificates pg_rewind connects with are the new source's external/<entry>/ files, written first.
        RealisedFiles.WriteSource(realised[region].Instance);
        await user.TakeOwnershipAsync(entry.Directory, cancellationToken);

        // A killed rejoin's pg_rewind (or the single-user crash recovery it runs) goes on without it; another one
        // beside it fails on the data directory's lock. One that was interrupted is run again, as CNPG's instance
        // manager runs pg_rewind again on its next start (pkg/management/postgres/instance.go Rewind, which keeps
        // pg_control for exactly that: managePgControlFileBackup). One that completed is not (see IsRewoundAsync).
        await LeftoverProcesses.WaitForToolsAsync(entry.Layout.Data, binaries, cancellationToken);
        if (!await Server(region).IsRewoundAsync(cancellationToken))
        {
            await Server(region).RewindAsync(SandboxOnly.Localise(source.Parameters, entry, State.Regions, State.Links), cancellationToken);
        }

        await WriteAsync(region, realised, cancellationToken);
        ledger.Update(s => s with { Fenced = [.. s.Fenced.Where(f => f != region)] });
        var outputs = TopologyOutputsJson.Parse(await File.ReadAllTextAsync(OutputsPath, cancellationToken));
        SecretFile.Write(OutputsPath, TopologyOutputsJson.Serialize(outputs with { Regions = [.. outputs.Regions.Select(r => r with { Fenced = SandboxOutputs.Fenced(r.Name, State.Fenced) })] }));
        await Server(region).StartAsync(cancellationToken);
    }

    private PrimaryChange Begin(string target, bool failover)
    {
        var state = State;
        if (state.Regions.All(r => r.Name != target))
        {
            throw new SandboxException($"--to: no region '{target}' in this sandbox; it has {string.Join(", ", state.Regions.Select(r => r.Name))}.", SandboxException.UsageExitCode);
        }

        if (state.Change is { } underWay)
        {
            if (underWay.To != target || underWay.Failover != failover)
            {
                throw new SandboxException($"a {(underWay.Failover ? "failover" : "switchover")} to {underWay.To} is under way; finish it first with `sandbox {(underWay.Failover ? "failover" : "switchover")} --to {underWay.To}`.", SandboxException.UsageExitCode);
            }

            return underWay;
        }

        if (state.Regions.Single(r => r.Name == target).MinApplyDelay is { } delay)
        {
            throw new SandboxException($"--to: {target} is a delayed replica (minApplyDelay {delay}): a copy to recover from, not one to promote, and CNPG refuses its promotion token with minApplyDelay (internal/webhook/v1/cluster_webhook.go validatePromotionToken); name another region.", SandboxException.UsageExitCode);
        }

        if (state.PrimaryRegion == target)
        {
            throw new SandboxException($"--to: {target} is already the primary region; name another region ({string.Join(", ", state.Regions.Select(r => r.Name).Where(r => r != target))}).", SandboxException.UsageExitCode);
        }

        if (!Server(target).IsRunning)
        {
            throw new SandboxException($"PostgreSQL in region {target} is not running; start it with `sandbox start {target}` first.", SandboxException.UsageExitCode);
        }

        var change = new PrimaryChange(state.PrimaryRegion, target) { Failover = failover };
        ledger.Update(s => s with { Change = change });
        return change;
    }

    // The change is complete: the target is primary, the token gone, every region follows the target. Each region's
    // files are what CNPG makes of the completed topology's Cluster; running servers reload them.
    private async Task<PrimaryChangeReport> CompleteAsync(PrimaryChange change, IReadOnlyDictionary<string, RegionRealisation> promoted, IProgress<string> progress, ulong? lostBytes, int? commitsLost, CancellationToken cancellationToken)
    {
        // PromoteAndWait's CHECKPOINT once more (pkg/management/postgres/promote.go: "For pg_rewind to work we need to
        // issue a checkpoint here"): a run killed after pg_ctl promote and before it leaves the control file on the old
        // timeline, the promotion's own checkpoint being spread over minutes, and PostgreSQL 15's pg_rewind takes the
        // source's timeline from its control file, so the old primary's rejoin would rewind it onto the wrong one.
        await Sql().ExecuteAsync(change.To, "CHECKPOINT", cancellationToken);
        await WriteAsync(change.To, promoted, cancellationToken);
        var final = Realise(null, primary: change.To);
        foreach (var region in State.Regions.Where(r => !State.Fenced.Contains(r.Name)))
        {
            await WriteAsync(region.Name, final, cancellationToken);
        }

        // The outputs before the ledger: once the ledger says the change is done, running it again refuses (the target
        // is already primary), so an interruption between the two must leave the outputs written, not the ledger.
        var outputs = TopologyOutputsJson.Parse(await File.ReadAllTextAsync(OutputsPath, cancellationToken));
        SecretFile.Write(OutputsPath, TopologyOutputsJson.Serialize(outputs with
        {
            PrimaryRegion = change.To,
            Regions = [.. outputs.Regions.Select(r => r with { Role = r.Name == change.To ? RegionRole.Primary : RegionRole.Replica, Fenced = SandboxOutputs.Fenced(r.Name, State.Fenced) })],
            DeployedIdentity = outputs.DeployedIdentity is { } identity ? identity with { PrimaryRegion = change.To, SwitchoverTo = null, Promoting = false } : null,
        }));
        ledger.Update(s => s with
        {
            PrimaryRegion = change.To,
            Change = null,
            Regions = [.. s.Regions.Select(r => r with { Role = r.Name == change.To ? RegionRole.Primary : RegionRole.Replica })],
        });

        var timeline = await Sql().ScalarAsync<int>(change.To, "SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()", cancellationToken);
        progress.Report($"pg-{change.To} is primary on timeline {timeline}{(State.Fenced.Count > 0 ? $"; fenced until `sandbox start`: {string.Join(", ", State.Fenced.Select(f => $"pg-{f}"))}" : string.Empty)}");
        return new PrimaryChangeReport(change.From, change.To, timeline, change.PromotionToken, lostBytes, commitsLost, [.. State.Fenced]);
    }

    private async Task WriteAsync(string regionName, IReadOnlyDictionary<string, RegionRealisation> realised, CancellationToken cancellationToken)
    {
        var region = State.Regions.Single(r => r.Name == regionName);
        RealisedFiles.WriteSource(realised[regionName].Instance);
        RealisedFiles.WriteInstance(region, realised[regionName].Instance, State.Regions, State.Links, ledger.Directory);
        await user.TakeOwnershipAsync(region.Directory, cancellationToken);
        if (Server(regionName).IsRunning)
        {
            await Server(regionName).ReloadAsync(cancellationToken);
        }
    }

    // The further of the primary's last reported end of WAL and what the target received from it.
    private async Task<Lsn?> ReceivedAsync(string target, CancellationToken cancellationToken)
    {
        var row = await Sql().RowAsync(target, "SELECT (SELECT latest_end_lsn FROM pg_catalog.pg_stat_wal_receiver), pg_catalog.pg_last_wal_receive_lsn()", cancellationToken);
        var known = row.Select(v => Lsn.TryParse(v, out var lsn) ? lsn : (Lsn?)null).OfType<Lsn>().ToList();
        return known.Count == 0 ? null : known.MaxBy(l => l.Value);
    }

    // What the target replayed once it replayed all it received (a moment after the stream ends, at most 10 s).
    private async Task<Lsn> ReplayedAsync(string target, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var row = await Sql().RowAsync(target, "SELECT pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn()", cancellationToken);
            var replayed = Lsn.TryParse(row[1], out var p) ? p : throw new SandboxException($"pg-{target} reports no replayed WAL position: it is not a standby.");
            if (!Lsn.TryParse(row[0], out var received) || replayed.Value >= received.Value || DateTime.UtcNow > deadline)
            {
                return replayed;
            }

            await Task.Delay(PromotionPoll, cancellationToken);
        }
    }

    // pkg/management/postgres/promote.go PromoteAndWait: pg_ctl -w promote, then a CHECKPOINT on the new timeline. A
    // promotion an interrupted run began (standby.signal gone, see PostgresServer.IsPrimary) is waited for instead:
    // pg_ctl refuses to promote a server that is no longer a standby ("server is not in standby mode").
    private async Task PromoteNowAsync(string target, CancellationToken cancellationToken)
    {
        var server = Server(target);
        try
        {
            if (!server.IsPrimary)
            {
                await server.PromoteAsync(cancellationToken);
            }
        }
        catch (SandboxException) when (server.IsPrimary)
        {
            // The earlier promotion ended recovery between the look and pg_ctl's own; it is waited for below.
        }

        var deadline = DateTime.UtcNow + PromotionWait;
        while (await InRecoveryAsync(target, cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"pg-{target} began its promotion but is still in recovery after {PromotionWait.TotalSeconds:0} s. See {server.LogPath}.");
            }

            await Task.Delay(PromotionPoll, cancellationToken);
        }

        await Sql().ExecuteAsync(target, "CHECKPOINT", cancellationToken);
    }

    private async Task<bool> InRecoveryAsync(string region, CancellationToken cancellationToken) =>
        await Sql().ScalarAsync<bool>(region, "SELECT pg_catalog.pg_is_in_recovery()", cancellationToken);

    private IReadOnlyDictionary<string, RegionRealisation> Realise(SwitchoverConfig? switchover, string? primary = null)
    {
        var regions = primary is null
            ? State.Regions
            : [.. State.Regions.Select(r => r with { Role = r.Name == primary ? RegionRole.Primary : RegionRole.Replica })];
        return LocalSandbox.Realise(SandboxTopology.For(regions, State.Pki, switchover, State.Replication, State.Parameters), ledger.Directory, regions, user);
    }

    // Endpoints and the root do not change with the primary, so the outputs are read once, not on every poll.
    private AdministratorSql Sql() => _sql ??= new(ledger.Directory, TopologyOutputsJson.Parse(File.ReadAllText(OutputsPath)), region => Server(region).IsRunning);

    private PostgresServer Server(string region) => new(State.Regions.Single(r => r.Name == region), binaries, user, ledger);
}

using System.Text.Json;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Topology.Text;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Brings the topology up on this machine with real PostgreSQL and PgBouncer processes, and down again. A start
/// that fails or is cancelled stops whatever it had started and removes its directory.
/// </summary>
public static class LocalSandbox
{
    /// <summary>File the outputs are written to inside the sandbox directory.</summary>
    public const string OutputsFileName = "outputs.json";

    /// <summary>Starts every region and writes the outputs file.</summary>
    /// <exception cref="SandboxException">The machine lacks something, the directory is taken, or a server failed to start.</exception>
    public static async Task<RunningSandbox> UpAsync(SandboxOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var problems = SandboxTopology.Problems(options.Regions, options.MinApplyDelays, options.Replication).Concat(LinkProblems(options)).ToList();
        if (problems.Count > 0)
        {
            throw new SandboxException(string.Join(Environment.NewLine, problems), SandboxException.UsageExitCode);
        }

        var binaries = ServerBinaries.Locate();
        var user = ServerUser.Current();
        var directory = Path.GetFullPath(options.Directory);
        var names = options.Regions;
        var monitoringPorts = options.Monitoring is null ? 0 : Monitoring.SandboxMonitoring.PortsNeeded(names.Count);
        var ports = FreePorts.Take((names.Count * 2) + SandboxLinks.PortsNeeded(names.Count) + monitoringPorts);
        var regions = names.Select((name, i) => new SandboxRegion(
            name,
            i == 0 ? RegionRole.Primary : RegionRole.Replica,
            ports[2 * i],
            ports[(2 * i) + 1],
            Path.Combine(directory, name),
            options.MinApplyDelays.GetValueOrDefault(name))).ToList();
        var topology = SandboxTopology.For(regions, replication: options.Replication, parameters: options.Parameters) with { Monitoring = options.Alerting with { Enabled = false } };
        if (TopologyValidator.Validate(topology).Where(p => p.Key.StartsWith("topology.monitoring.", StringComparison.Ordinal)).Select(p => p.ToString()).ToList() is { Count: > 0 } thresholds)
        {
            throw new SandboxException(string.Join(Environment.NewLine, thresholds), SandboxException.UsageExitCode);
        }

        var plan = PkiPlan.For(topology);

        // The manifests the Pulumi program would declare for this topology; whether the primary they declare can
        // serve every replica is known from them alone, so a sandbox it cannot serve is refused before anything starts.
        var manifests = TopologyManifests.For(topology, plan).Select(m => Amended(m, options.Amend)).ToList();
        var cloneConcurrency = CloneConcurrency(manifests[0], regions[0], regions.Count - 1);
        SandboxDirectory.Create(directory, user);
        try
        {
            var monitoring = options.Monitoring is { } timing ? Monitoring.SandboxMonitoring.For(names, [.. ports.TakeLast(monitoringPorts)], timing) : null;
            return await StartAsync(directory, options, regions, ports.Skip(names.Count * 2).SkipLast(monitoringPorts).ToList(), monitoring, topology, plan, manifests, cloneConcurrency, binaries, user, progress ?? new Progress<string>(), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is SandboxException or IOException or UnauthorizedAccessException)
        {
            // The directory goes, so that nothing half-made stays running; what explains the failure is kept beside it.
            progress?.Report("Start failed; keeping the servers' logs and stopping what was started");
            var kept = FailedStart.KeptLogs(directory, DateTimeOffset.UtcNow);
            var logs = FailedStart.CopyLogs(directory, kept);
            await DownAsync(directory);
            throw new SandboxException(
                FailedStart.Explain(e.Message, directory, kept, logs, path => File.Exists(path) ? File.ReadAllText(path) : null),
                e is SandboxException failed ? failed.ExitCode : 1,
                e);
        }
        catch
        {
            progress?.Report(cancellationToken.IsCancellationRequested ? "Interrupted; stopping what was started" : "Start failed; stopping what was started");
            await DownAsync(directory);
            throw;
        }
    }

    /// <summary>
    /// Stops every process the sandbox in <paramref name="directory"/> started and removes the directory. Returns
    /// whether one was there. A process is signalled only while its pid still names the process the sandbox recorded.
    /// </summary>
    /// <exception cref="SandboxException">The directory is not a sandbox this user created; nothing is touched.</exception>
    public static async Task<bool> DownAsync(string directory)
    {
        directory = Path.GetFullPath(directory);
        if (SandboxDirectory.Open(directory) is not { } ledger)
        {
            return false;
        }

        var binaries = ServerBinaries.Locate();
        var user = ServerUser.Current();

        // Monitoring first, so that stopping the servers raises no alert in a Prometheus about to go; then the proxy:
        // the servers' stops then wait on nobody, and every connection across a link ends with it.
        await Monitoring.MonitoringProcesses.StopAsync(ledger);
        await LinkDaemonProcess.StopAsync(ledger);
        await Task.WhenAll(ledger.State.Regions.Select(async region =>
        {
            // A server a killed command started but never recorded is stopped with the rest (LeftoverProcesses).
            new PgBouncerServer(region, binaries, user, ledger).Adopt();
            new PostgresServer(region, binaries, user, ledger).Adopt();
            await new PgBouncerServer(region, binaries, user, ledger).StopAsync();
            await new PostgresServer(region, binaries, user, ledger).StopAsync();
        }));
        System.IO.Directory.Delete(directory, recursive: true);
        return true;
    }

    /// <summary>The state of the sandbox in <paramref name="directory"/>, or <c>null</c> when none is there.</summary>
    /// <exception cref="SandboxException">The directory is not a sandbox this user created.</exception>
    public static IReadOnlyList<RegionStatus>? Status(string directory)
    {
        if (SandboxDirectory.Open(Path.GetFullPath(directory)) is not { } ledger)
        {
            return null;
        }

        return ledger.State.Regions.Select(r => new RegionStatus(
            r.Name,
            r.Role,
            Server(ledger, r, ServerKind.Postgres, r.Layout.PostgresLog),
            Server(ledger, r, ServerKind.PgBouncer, r.Layout.PgBouncerLog),
            r.Layout.Data)).ToList();
    }

    /// <summary>Opens the running sandbox in <paramref name="directory"/> for fault drills.</summary>
    /// <exception cref="SandboxException">There is none, or it is not a sandbox this user created.</exception>
    public static RunningSandbox Attach(string directory)
    {
        directory = Path.GetFullPath(directory);
        var ledger = SandboxDirectory.Open(directory)
            ?? throw new SandboxException($"No sandbox in {directory}. Start one with `sandbox up --dir {directory}`.", SandboxException.UsageExitCode);
        return new RunningSandbox(ledger, ServerBinaries.Locate(), ServerUser.Current());
    }

    private static ServerStatus Server(ProcessLedger ledger, SandboxRegion region, ServerKind kind, string log)
    {
        // outputs.json gives clients the client link's port (the sandbox stands in for their distance to the region).
        var clientPort = ledger.State.Links.PortFrom(Links.SandboxLinks.Client, region, kind);
        return ledger.Find(region.Name, kind) is { IsRunning: true } process
            ? new ServerStatus(region.Port(kind), clientPort, true, process.Pid, log)
            : new ServerStatus(region.Port(kind), clientPort, false, null, log);
    }

    private static async Task<RunningSandbox> StartAsync(
        string directory,
        SandboxOptions options,
        List<SandboxRegion> regions,
        IReadOnlyList<int> linkPorts,
        Monitoring.SandboxMonitoring? monitoring,
        TopologyConfig topology,
        PkiPlan plan,
        IReadOnlyList<RegionManifests> manifests,
        int cloneConcurrency,
        ServerBinaries binaries,
        ServerUser user,
        IProgress<string> progress,
        CancellationToken cancellationToken)
    {
        var names = options.Regions;
        var links = options.PairRoundTrips.Aggregate(
            SandboxLinks.For(names, options.RoundTrip, options.Jitter, linkPorts),
            (all, pair) => all.With(all.Between(pair.A, pair.B) with { RoundTrip = pair.RoundTrip }));
        var state = new SandboxState { PrimaryRegion = regions[0].Name, Regions = regions, Links = links, Replication = options.Replication, Parameters = options.Parameters, Monitoring = monitoring };
        state.Write(directory);
        var ledger = new ProcessLedger(directory, state);
        progress.Report("Starting the links between regions");
        await LinkDaemonProcess.StartAsync(ledger);

        progress.Report($"Issuing certificates for {string.Join(", ", names)}");
        var pki = CertificateIssuer.Issue(plan);
        AdministratorCertificate.Write(pki, topology, directory);

        // The manifests realised the way CNPG would.
        IssuedCertificates.Write(directory, pki);
        var realisations = manifests.Select(m => Realise(m, pki.Material, regions, user)).ToList();

        // Each ObjectStore the manifests declare is a directory the servers archive into; its absence makes an archive fail.
        foreach (var store in manifests.SelectMany(m => m.ObjectStores).Select(s => s.Name).Distinct(StringComparer.Ordinal))
        {
            System.IO.Directory.CreateDirectory(SandboxOnly.ObjectStore(directory, store));
            await user.TakeOwnershipAsync(SandboxOnly.ObjectStore(directory, store), cancellationToken);
        }

        foreach (var (region, realisation) in regions.Zip(realisations))
        {
            System.IO.Directory.CreateDirectory(region.Directory);
            RealisedFiles.WriteController(realisation);
            RealisedFiles.WriteWatched(region, realisation.Watch);
            RealisedFiles.WritePooler(region, realisation.Pooler, regions, links);
            if (realisation.AppSecret is { } appSecret)
            {
                SecretFile.Write(region.Layout.AppSecret, JsonSerializer.Serialize(ManifestDocument.ToObject(appSecret), TopologyOutputsJson.Options));
            }

            await user.TakeOwnershipAsync(region.Directory, cancellationToken);
        }

        var primary = regions[0];
        progress.Report($"Creating the primary in region {primary.Name}");
        var primaryServer = new PostgresServer(primary, binaries, user, ledger);
        await primaryServer.InitializeAsync(cancellationToken);
        RealisedFiles.WriteInstance(primary, realisations[0].Instance, regions, links, directory);
        await user.TakeOwnershipAsync(primary.Directory, cancellationToken);
        await primaryServer.RunSqlAsync([.. realisations[0].Instance.Initdb, .. realisations[0].Instance.PrimarySetup], cancellationToken);
        await primaryServer.StartAsync(cancellationToken);

        var replicas = regions.Skip(1).ToList();
        if (replicas.Count > 0)
        {
            progress.Report($"Cloning the primary over mTLS into {string.Join(", ", replicas.Select(r => r.Name))}; starting poolers");
        }

        // pg_basebackup -X stream holds two walsenders on the primary while it copies, a streaming replica one; a
        // clone the primary has no sender for fails with "number of requested standby connections exceeds
        // max_wal_senders", so clones run only as many at a time as leave every replica its sender.
        using var clones = new SemaphoreSlim(cloneConcurrency);
        await Task.WhenAll(
            replicas.Select(async replica =>
            {
                await clones.WaitAsync(cancellationToken);
                try
                {
                    var server = new PostgresServer(replica, binaries, user, ledger);
                    var instance = realisations[regions.IndexOf(replica)].Instance;
                    await server.CloneAsync(SandboxOnly.BootstrapSource(primary, replica, links), cancellationToken);
                    RealisedFiles.WriteInstance(replica, instance, regions, links, directory);
                    await user.TakeOwnershipAsync(replica.Directory, cancellationToken);
                    await server.StartAsync(cancellationToken);
                    progress.Report($"Region {replica.Name} {(instance.Source?.Streams == true ? "streams from" : "replays the WAL archive of")} {primary.Name}");
                }
                finally
                {
                    clones.Release();
                }
            }).Concat(regions.Select(r => new PgBouncerServer(r, binaries, user, ledger).StartAsync(cancellationToken))));

        var outputsPath = Path.Combine(directory, OutputsFileName);
        SecretFile.Write(outputsPath, TopologyOutputsJson.Serialize(SandboxOutputs.For(topology, pki, regions, links)));
        if (monitoring is not null)
        {
            progress.Report("Starting the exporters and a Prometheus per region");
            await Monitoring.MonitoringProcesses.StartAsync(ledger, TopologyManifests.For(Monitoring.SandboxMonitoring.Monitored(topology), plan), cancellationToken);
        }

        // The outputs' path is said by the command's own summary; here it would make the line too long for 80 columns.
        progress.Report($"Sandbox up: {Counted.Of(regions.Count, "region")}");
        return new RunningSandbox(ledger, binaries, user);
    }

    /// <summary>
    /// How many replicas may clone at once: the primary's <c>max_wal_senders</c> (PostgreSQL's default 10, which CNPG
    /// does not change: it is not among pkg/postgres/configuration.go's defaults) less one sender per replica. A clone
    /// (<c>pg_basebackup -X stream</c>) holds two senders, so the last one, while every other replica streams, needs
    /// one sender per replica and one more.
    /// </summary>
    /// <exception cref="SandboxException">The primary cannot serve every replica and one clone, or CNPG would refuse its parameters.</exception>
    private static int CloneConcurrency(RegionManifests primary, SandboxRegion region, int replicas)
    {
        IReadOnlyDictionary<string, string> parameters;
        try
        {
            parameters = InstanceParameters.For(ManifestDocument.ToObject(primary.Cluster), region.Layout.Controller);
        }
        catch (CnpgRealisationException e)
        {
            throw Unrealisable(region, e);
        }

        var senders = parameters.TryGetValue("max_wal_senders", out var configured) && int.TryParse(configured, out var value) ? value : 10;
        return replicas == 0 || replicas + 1 <= senders
            ? Math.Max(1, senders - replicas)
            : throw new SandboxException(
                $"--regions: {replicas} replica regions need {replicas + 1} walsenders on the primary (one per streaming replica, and a second while the last one clones), but its max_wal_senders is {senders}. Start at most {senders} regions.",
                SandboxException.UsageExitCode);
    }

    // Every pair --rtt names is two distinct locations of this sandbox; the client is one of them.
    private static IEnumerable<string> LinkProblems(SandboxOptions options)
    {
        var locations = options.Regions.Prepend(SandboxLinks.Client).ToList();
        if (options.Regions.Contains(SandboxLinks.Client, StringComparer.Ordinal))
        {
            yield return $"--regions: '{SandboxLinks.Client}' names where verify and the clients run; give the region another name.";
        }

        foreach (var pair in options.PairRoundTrips)
        {
            if (pair.A == pair.B || !locations.Contains(pair.A, StringComparer.Ordinal) || !locations.Contains(pair.B, StringComparer.Ordinal))
            {
                yield return $"--rtt: '{pair.A}:{pair.B}' is not a link of this sandbox; name two of {string.Join(", ", locations)}, e.g. --rtt {locations[1]}:{locations[^1]}=120ms.";
            }
        }
    }

    private static RegionManifests Amended(RegionManifests manifests, Func<Manifest, Manifest>? amend) => amend is null
        ? manifests
        : manifests with
        {
            Secrets = manifests.Secrets.Select(amend).ToList(),
            Cluster = amend(manifests.Cluster),
            Pooler = amend(manifests.Pooler),
        };

    /// <summary>
    /// What CNPG makes of <paramref name="topology"/>'s manifests in every region, their Secrets filled from the
    /// certificates the sandbox keeps (<c>pki-state.json</c>), as a cluster's Secrets hold what the last update wrote.
    /// </summary>
    internal static IReadOnlyDictionary<string, RegionRealisation> Realise(TopologyConfig topology, string directory, IReadOnlyList<SandboxRegion> regions, ServerUser user) =>
        Realise(topology, IssuedCertificates.Read(directory, PkiPlan.For(topology)), regions, user);

    /// <summary>What CNPG makes of <paramref name="topology"/>'s manifests in every region, their Secrets filled from <paramref name="pki"/>.</summary>
    internal static IReadOnlyDictionary<string, RegionRealisation> Realise(TopologyConfig topology, IssuedPki pki, IReadOnlyList<SandboxRegion> regions, ServerUser user) =>
        TopologyManifests.For(topology, pki.Plan).ToDictionary(m => m.Region, m => Realise(m, pki.Material, regions, user), StringComparer.Ordinal);

    private static RegionRealisation Realise(RegionManifests manifests, Func<SecretMaterial, string> material, IReadOnlyList<SandboxRegion> regions, ServerUser user)
    {
        var region = regions.Single(r => r.Name == manifests.Region);
        try
        {
            return RegionRealisation.For(manifests, material, region.Layout.Controller, user.AccountName, ApplicationSecret.GeneratePassword());
        }
        catch (CnpgRealisationException e)
        {
            throw Unrealisable(region, e);
        }
    }

    private static SandboxException Unrealisable(SandboxRegion region, CnpgRealisationException e) =>
        new($"region {region.Name}: CNPG would not realise the manifests: {e.Message}", SandboxException.UsageExitCode, e);

    /// <summary>The cluster name of a region, as outputs and server certificates spell it.</summary>
    internal static ClusterNames Names(string region) => new(region, new TopologyConfig().Namespace.Name);
}

/// <summary>Whether a region's servers run, and where their files are.</summary>
/// <param name="Region">Region name.</param>
/// <param name="Role">Primary or replica.</param>
/// <param name="Postgres">PostgreSQL.</param>
/// <param name="PgBouncer">PgBouncer.</param>
/// <param name="Data">PostgreSQL's data directory.</param>
public sealed record RegionStatus(string Region, RegionRole Role, ServerStatus Postgres, ServerStatus PgBouncer, string Data)
{
    /// <summary>Whether both servers run.</summary>
    public bool Running => Postgres.Running && PgBouncer.Running;
}

/// <summary>One server of a region.</summary>
/// <param name="Port">TCP port on 127.0.0.1 the server listens on.</param>
/// <param name="ClientPort">The port outputs.json gives clients: the client link's proxy, which forwards to <paramref name="Port"/>.</param>
/// <param name="Running">Whether the process the sandbox started runs.</param>
/// <param name="Pid">Its pid while it runs.</param>
/// <param name="Log">Its log file.</param>
public sealed record ServerStatus(int Port, int ClientPort, bool Running, int? Pid, string Log);

using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Sandbox;

/// <summary>A started sandbox: its outputs, and control over each region's servers for fault drills.</summary>
public sealed class RunningSandbox : IAsyncDisposable
{
    private readonly ProcessLedger _ledger;
    private readonly ServerBinaries _binaries;
    private readonly ServerUser _user;

    internal RunningSandbox(ProcessLedger ledger, ServerBinaries binaries, ServerUser user)
    {
        _ledger = ledger;
        _binaries = binaries;
        _user = user;
    }

    /// <summary>The sandbox directory.</summary>
    public string Directory => _ledger.Directory;

    /// <summary>Regions, ports and the processes the sandbox started.</summary>
    public SandboxState State => _ledger.State;

    /// <summary>What verify reads, as the outputs file says now (a switchover rewrites it).</summary>
    public TopologyOutputs Outputs => TopologyOutputsJson.Parse(File.ReadAllText(OutputsPath));

    /// <summary>The outputs file (0600: it holds client keys).</summary>
    public string OutputsPath => Path.Combine(Directory, LocalSandbox.OutputsFileName);

    /// <summary>
    /// The <c>-app</c> Secret (0600) CNPG's operator created with the first primary, whose password verify must see
    /// refused; the role and its password hash replicate, so after a switchover it is still the one to try.
    /// </summary>
    public string AppSecretPath => State.Regions.Select(r => r.Layout.AppSecret).FirstOrDefault(File.Exists) ?? Region(State.PrimaryRegion).Layout.AppSecret;

    /// <summary>verify's options for this sandbox: defaults, with the primary's app Secret.</summary>
    public VerifyOptions VerifyOptions(VerifyOptions? options = null) => (options ?? new VerifyOptions()) with { AppSecret = AppSecretFile.Read(AppSecretPath) };

    /// <summary>The sandbox-only superuser certificate.</summary>
    public AdministratorCertificate Administrator => AdministratorCertificate.In(Directory);

    /// <summary>Stops a region's PostgreSQL.</summary>
    public Task StopInstanceAsync(string region)
    {
        Instance(region).Adopt();
        return Instance(region).StopAsync();
    }

    /// <summary>
    /// Starts a region's PostgreSQL again after <see cref="StopInstanceAsync"/>; a former primary a failover fenced
    /// is first rewound onto the new primary's timeline and starts as its standby. Returns once every pooler serves.
    /// </summary>
    /// <returns>Each pooler that did not serve within <paramref name="wait"/> (<see cref="PoolersServing.Limit"/> when not given), with what it answered.</returns>
    public async Task<IReadOnlyList<string>> StartInstanceAsync(string region, IProgress<string>? progress = null, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        if (State.Fenced.Contains(region))
        {
            await Changes.RejoinAsync(region, cancellationToken);
        }
        else if (!Instance(region).IsRunning)
        {
            await Instance(region).StartAsync(cancellationToken);
        }

        return await PoolersServeAsync(progress, wait, cancellationToken);
    }

    /// <summary>A controlled switchover to <paramref name="target"/>; run again after an interruption, it resumes. Returns once every pooler serves.</summary>
    public async Task<PrimaryChangeReport> SwitchoverAsync(string target, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        var report = await Changes.SwitchoverAsync(target, progress ?? new Progress<string>(), cancellationToken);
        await PoolersServeAsync(progress, cancellationToken: cancellationToken);
        return report;
    }

    /// <summary>
    /// A failover to <paramref name="target"/>: the primary crashes, the target is promoted without a token, the old
    /// primary is fenced. Returns once every pooler serves.
    /// </summary>
    public async Task<PrimaryChangeReport> FailoverAsync(string target, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        var report = await Changes.FailoverAsync(target, progress ?? new Progress<string>(), cancellationToken);
        await PoolersServeAsync(progress, cancellationToken: cancellationToken);
        return report;
    }

    /// <summary>Gives <paramref name="region"/>'s standby a promotion token, as setting <c>replica.promotionToken</c> on its Cluster does.</summary>
    /// <exception cref="SandboxException">CNPG's instance manager would refuse the token, or the standby does not reach it in time.</exception>
    public Task PromoteWithTokenAsync(string region, string token, CancellationToken cancellationToken = default) =>
        Changes.PromoteAsync(region, PromotionToken.Parse(token), new Progress<string>(), cancellationToken);

    /// <summary>
    /// Re-issues a tier of certificates as an update would and reloads every server as CNPG does on a Secret change;
    /// a root rotation goes through its phases, <paramref name="pause"/> apart (1 s when not given). Run again after an
    /// interruption, a root rotation resumes. Returns once every pooler serves.
    /// </summary>
    /// <exception cref="SandboxException">A switchover or another rotation is under way, or a server did not reload.</exception>
    public async Task<RotationReport> RotateAsync(Topology.Config.CertificateTier tier, IProgress<string>? progress = null, TimeSpan? pause = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        var report = await new CertificateRotation(_ledger, _binaries, _user).RotateAsync(tier, pause ?? TimeSpan.FromSeconds(1), progress ?? new Progress<string>(), cancellationToken);
        await PoolersServeAsync(progress, cancellationToken: cancellationToken);
        return report;
    }

    /// <summary>
    /// Re-issues the leaf certificate <paramref name="id"/> (e.g. <c>us-server</c>) valid for <paramref name="validity"/>
    /// only and applies it as a <c>pulumi up</c> that issued it would, reloading the servers that use it: with a validity
    /// shorter than the leaf's renewal window, a certificate inside that window at once. Returns once every pooler serves.
    /// </summary>
    /// <exception cref="SandboxException">No such leaf, or a server did not reload.</exception>
    public async Task<RotationStep> IssueShortLivedAsync(string id, TimeSpan validity, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        var step = await new CertificateRotation(_ledger, _binaries, _user).IssueShortLivedAsync(id, validity, progress ?? new Progress<string>(), cancellationToken);
        await PoolersServeAsync(progress, cancellationToken: cancellationToken);
        return step;
    }

    /// <summary>
    /// Changes the link between <paramref name="a"/> and <paramref name="b"/> (regions or <see cref="SandboxLinks.Client"/>)
    /// and returns it once the link proxy applies it to every connection across it, open or new.
    /// </summary>
    /// <exception cref="SandboxException">No such link, or the proxy does not run.</exception>
    public RegionLink ChangeLink(string a, string b, Func<RegionLink, RegionLink> change)
    {
        if (!LinkDaemonProcess.IsRunning(_ledger))
        {
            throw new SandboxException($"The link proxy of the sandbox in {Directory} does not run; see {Path.Combine(Directory, LinkDaemon.LogFileName)}, and recreate the sandbox with `sandbox down` and `sandbox up`.");
        }

        var current = State.Links.Between(a, b);
        var changed = change(current);
        _ledger.Update(s => s with { Links = s.Links.With(changed) });
        return State.Links.Between(a, b);
    }

    /// <summary>The alerts <paramref name="region"/>'s Prometheus holds, pending or firing; <c>null</c> when it does not answer.</summary>
    /// <exception cref="SandboxException">The sandbox was started without monitoring.</exception>
    public Task<IReadOnlyList<Monitoring.SandboxAlert>?> AlertsAsync(string region, CancellationToken cancellationToken = default) =>
        Monitoring.MonitoringProcesses.AlertsAsync(MonitoringOf(region), cancellationToken);

    /// <summary>Stops <paramref name="region"/>'s Prometheus, as a region that goes dark takes its monitoring with it.</summary>
    /// <exception cref="SandboxException">The sandbox was started without monitoring.</exception>
    public Task StopPrometheusAsync(string region)
    {
        MonitoringOf(region);
        return Monitoring.MonitoringProcesses.StopPrometheusAsync(_ledger, region);
    }

    private Monitoring.RegionMonitoring MonitoringOf(string region) =>
        (State.Monitoring ?? throw new SandboxException($"The sandbox in {Directory} runs no monitoring; start it with `sandbox up --monitoring`.", SandboxException.UsageExitCode)).Region(Region(region).Name);

    /// <summary>Whether the link proxy runs.</summary>
    public bool LinksRunning => LinkDaemonProcess.IsRunning(_ledger);

    /// <summary>Stops a region's PgBouncer.</summary>
    public Task StopPoolerAsync(string region)
    {
        Pooler(region).Adopt();
        return Pooler(region).StopAsync();
    }

    /// <summary>Starts a region's PgBouncer again after <see cref="StopPoolerAsync"/>; returns once every pooler serves.</summary>
    /// <returns>Each pooler that did not serve within <paramref name="wait"/> (<see cref="PoolersServing.Limit"/> when not given), with what it answered.</returns>
    public async Task<IReadOnlyList<string>> StartPoolerAsync(string region, IProgress<string>? progress = null, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        await AdoptLeftoversAsync(cancellationToken);
        if (!Pooler(region).IsRunning)
        {
            await Pooler(region).StartAsync(cancellationToken);
        }

        return await PoolersServeAsync(progress, wait, cancellationToken);
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/> (<see cref="PoolersServing.Limit"/> when not given), until the pooler of
    /// every region whose PostgreSQL and PgBouncer both run serves a query, and says which does not: what a drill
    /// promises is verify passing at once.
    /// </summary>
    /// <returns>Each pooler that did not serve in time, with what it answered; empty when every one serves.</returns>
    public async Task<IReadOnlyList<string>> PoolersServeAsync(IProgress<string>? progress = null, TimeSpan? limit = null, CancellationToken cancellationToken = default)
    {
        progress ??= new Progress<string>();
        var running = State.Regions.Where(r => !State.Fenced.Contains(r.Name) && Instance(r.Name).IsRunning && Pooler(r.Name).IsRunning).ToList();
        var wait = limit ?? PoolersServing.Limit;
        if (running.Count > 0)
        {
            progress.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Waiting until a login through the pooler of {string.Join(", ", running.Select(r => r.Name))} works (at most {wait.TotalSeconds:0} s)"));
        }

        var problems = await PoolersServing.WaitAsync(Outputs, running, wait, progress, cancellationToken);
        foreach (var problem in problems)
        {
            progress.Report($"{problem}; verify fails there until it does");
        }

        return problems;
    }

    /// <summary>Stops everything and removes the directory.</summary>
    public async ValueTask DisposeAsync() => await LocalSandbox.DownAsync(Directory);

    // A command killed part-way may have started a server it never recorded (LeftoverProcesses): every drill takes
    // such servers as the sandbox's own first, waiting until they accept connections, rather than starting another
    // on the same data directory or port, or leaving one that `sandbox down` would not stop.
    private async Task AdoptLeftoversAsync(CancellationToken cancellationToken)
    {
        foreach (var region in State.Regions)
        {
            await Instance(region.Name).AdoptAsync(cancellationToken);
            await Pooler(region.Name).AdoptAsync(cancellationToken);
        }
    }

    private PrimaryChanges Changes => new(_ledger, _binaries, _user);

    private PostgresServer Instance(string region) => new(Region(region), _binaries, _user, _ledger);

    private PgBouncerServer Pooler(string region) => new(Region(region), _binaries, _user, _ledger);

    private SandboxRegion Region(string name) =>
        State.Regions.FirstOrDefault(r => r.Name == name) ?? throw new SandboxException($"No region '{name}' in this sandbox; it has {string.Join(", ", State.Regions.Select(r => r.Name))}.", SandboxException.UsageExitCode);
}

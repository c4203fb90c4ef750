using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>What every check shares: the outputs, the connector, the client identities and the probe table.</summary>
public sealed class CheckContext : IAsyncDisposable
{
    /// <summary>Table verify writes its probe rows into, in the application database.</summary>
    public const string ProbeTable = "crosscluster_verify_probe";

    private readonly ConcurrentDictionary<(string Region, string Client), ClientIdentity> _identities = new();
    private readonly ConcurrentBag<IDisposable> _owned = [];
    private readonly ConcurrentDictionary<ConnectionTarget, Lazy<VerifyLogin>> _logins = new();
    private readonly Lazy<Task> _probeTable;

    private readonly CancellationToken _run;

    /// <summary>Creates the context for one run, which <paramref name="run"/> interrupts.</summary>
    public CheckContext(TopologyOutputs outputs, VerifyOptions options, CancellationToken run = default)
    {
        Outputs = outputs;
        Options = options;
        _run = run;
        Roots = Connector.TrustAnchors(outputs.RootCaCertificate);
        Looks = new EndpointLooks(options.Timeout, target => target.Kind == EndpointKind.Pooler
            ? [target.Endpoint, ConnectionTarget.Instance(Region(target.Region)).Endpoint]
            : [target.Endpoint]);
        Connector = new Connector(Roots, outputs.Database, options.Timeout, Looks);
        ProbeRows = new ProbeRows(this);
        _probeTable = new Lazy<Task>(CreateProbeTableAsync);
    }

    /// <summary>The topology under test.</summary>
    public TopologyOutputs Outputs { get; }

    /// <summary>Limits and thresholds.</summary>
    public VerifyOptions Options { get; }

    /// <summary>The trusted roots: the shared root, or two while a root rotation overlaps.</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary>Opens connections.</summary>
    public Connector Connector { get; }

    /// <summary>The diagnoses' looks at endpoints, started while an attempt at them is still pending.</summary>
    public EndpointLooks Looks { get; }

    /// <summary>The rows this run writes, claimed before they are written and removed when the run ends.</summary>
    public ProbeRows ProbeRows { get; }

    /// <summary>
    /// Days before expiry from which a certificate of <paramref name="tier"/> is reported: the stack's renewal window when
    /// the outputs carry it (an update inside it re-issues the certificate, so one still in use there was not renewed),
    /// else <c>--expiry-warning-days</c>.
    /// </summary>
    public int WarningDays(Topology.Config.CertificateTier tier) => Outputs.RenewBeforeDays?.For(tier) ?? Options.ExpiryWarningDays;

    /// <summary>How long <paramref name="region"/> holds back replaying each commit: zero unless it is a delayed replica.</summary>
    public static TimeSpan DelayOf(RegionOutputs region) => TimeSpan.FromSeconds(region.MinApplyDelaySeconds ?? 0);

    /// <summary>The run's token: cancelled when the run is interrupted, never by one check's limit.</summary>
    public CancellationToken Run => _run;

    /// <summary>Disposes <paramref name="disposable"/> with the context, e.g. a client shared by a region's checks.</summary>
    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>The primary region.</summary>
    public RegionOutputs Primary => Outputs.Regions.Single(r => r.Role == RegionRole.Primary);

    /// <summary>Every replica region.</summary>
    public IEnumerable<RegionOutputs> Replicas => Outputs.Regions.Where(r => r.Role == RegionRole.Replica);

    /// <summary>A client identity of a region, loaded once.</summary>
    public ClientIdentity Identity(RegionOutputs region, string client) =>
        _identities.GetOrAdd((region.Name, client), key => ClientIdentity.For(Outputs, region, key.Client));

    /// <summary>
    /// The verify role's login to <paramref name="target"/>, made once per run and shared by the checks that read through it;
    /// bounded by <c>--timeout</c> (the open and each command) and the run's token.
    /// </summary>
    public VerifyLogin Login(ConnectionTarget target) =>
        _logins.GetOrAdd(target, t => new Lazy<VerifyLogin>(() => VerifyLogin.Start(this, t, _run))).Value;

    /// <summary>What the instance <paramref name="target"/> shows the verify role of its region, through its shared login.</summary>
    public async Task<InstanceView> InstanceViewAsync(ConnectionTarget target) =>
        (await Login(target).View).Instance ?? throw new InvalidOperationException($"{target} is not an instance");

    /// <summary>Opens a connection as the application role of the target's own region.</summary>
    public Task<NpgsqlConnection> OpenAsAppAsync(ConnectionTarget target, CancellationToken cancellationToken) =>
        Connector.OpenAsync(target, Identity(Region(target.Region), ClientNames.App), cancellationToken);

    /// <summary>Opens a connection as the least-privilege verify role of the target's own region.</summary>
    public Task<NpgsqlConnection> OpenAsVerifyAsync(ConnectionTarget target, CancellationToken cancellationToken) =>
        Connector.OpenAsync(target, Identity(Region(target.Region), ClientNames.Verify), cancellationToken);

    /// <summary>
    /// Creates the probe table on the primary, opens the probe lease and claims the run's run ids, once per run, whichever check needs them first;
    /// a failure is an <see cref="EndpointException"/> naming the endpoint.
    /// </summary>
    public Task EnsureProbeTableAsync() => _probeTable.Value;

    /// <summary>Opens two connections at once; if either fails, the other is closed and the failure thrown.</summary>
    public static async Task<(NpgsqlConnection First, NpgsqlConnection Second)> OpenBothAsync(Task<NpgsqlConnection> first, Task<NpgsqlConnection> second)
    {
        try
        {
            await Task.WhenAll(first, second);
        }
        catch
        {
            foreach (var opened in new[] { first, second }.Where(t => t.IsCompletedSuccessfully))
            {
                await opened.Result.DisposeAsync();
            }

            throw;
        }

        return (first.Result, second.Result);
    }

    /// <summary>The region named <paramref name="name"/>.</summary>
    public RegionOutputs Region(string name) => Outputs.Regions.Single(r => r.Name == name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await ProbeRows.DisposeAsync();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        foreach (var identity in _identities.Values)
        {
            identity.Dispose();
        }

        foreach (var root in Roots)
        {
            root.Dispose();
        }
    }

    // Shared by every check that writes, so bounded by the run's token and a limit of its own, not by one check's.
    // The run ids are claimed for the checks that write (two per replica: write-visible and data-arrives-whole) up
    // front, so that none of them spends a round trip on its claim.
    private async Task CreateProbeTableAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_run);
        limit.CancelAfter(Options.Timeout);
        await ProbeRows.StartAsync(Replicas.Count() * 2, limit.Token);
    }
}

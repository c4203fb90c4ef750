using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Sandbox;

/// <summary>A started sandbox: its outputs, and control over each region's servers for fault drills.</summary>
public sealed class RunningSandbox : IAsyncDisposable
{
    private readonly ProcessLedger _ledger;
    private readonly ServerBinaries _binaries;
    private readonly ServerUser _user;
    private readonly Lazy<TopologyOutputs> _outputs;

    internal RunningSandbox(ProcessLedger ledger, ServerBinaries binaries, ServerUser user)
    {
        _ledger = ledger;
        _binaries = binaries;
        _user = user;
        _outputs = new Lazy<TopologyOutputs>(() => TopologyOutputsJson.Parse(File.ReadAllText(OutputsPath)));
    }

    /// <summary>The sandbox directory.</summary>
    public string Directory => _ledger.Directory;

    /// <summary>Regions, ports and the processes the sandbox started.</summary>
    public SandboxState State => _ledger.State;

    /// <summary>What verify reads.</summary>
    public TopologyOutputs Outputs => _outputs.Value;

    /// <summary>The outputs file (0600: it holds client keys).</summary>
    public string OutputsPath => Path.Combine(Directory, LocalSandbox.OutputsFileName);

    /// <summary>The primary's <c>-app</c> Secret (0600), as CNPG's operator would create it: the password verify must see refused.</summary>
    public string AppSecretPath => Region(State.PrimaryRegion).Layout.AppSecret;

    /// <summary>verify's options for this sandbox: defaults, with the primary's app Secret.</summary>
    public VerifyOptions VerifyOptions(VerifyOptions? options = null) => (options ?? new VerifyOptions()) with { AppSecret = AppSecretFile.Read(AppSecretPath) };

    /// <summary>The sandbox-only superuser certificate.</summary>
    public AdministratorCertificate Administrator => AdministratorCertificate.In(Directory);

    /// <summary>Stops a region's PostgreSQL.</summary>
    public Task StopInstanceAsync(string region) => Instance(region).StopAsync();

    /// <summary>Starts a region's PostgreSQL again after <see cref="StopInstanceAsync"/>.</summary>
    public Task StartInstanceAsync(string region, CancellationToken cancellationToken = default) => Instance(region).StartAsync(cancellationToken);

    /// <summary>Stops a region's PgBouncer.</summary>
    public Task StopPoolerAsync(string region) => Pooler(region).StopAsync();

    /// <summary>Starts a region's PgBouncer again after <see cref="StopPoolerAsync"/>.</summary>
    public Task StartPoolerAsync(string region, CancellationToken cancellationToken = default) => Pooler(region).StartAsync(cancellationToken);

    /// <summary>Stops everything and removes the directory.</summary>
    public async ValueTask DisposeAsync() => await LocalSandbox.DownAsync(Directory);

    private PostgresServer Instance(string region) => new(Region(region), _binaries, _user, _ledger);

    private PgBouncerServer Pooler(string region) => new(Region(region), _binaries, _user, _ledger);

    private SandboxRegion Region(string name) =>
        State.Regions.FirstOrDefault(r => r.Name == name) ?? throw new SandboxException($"No region '{name}' in this sandbox; it has {string.Join(", ", State.Regions.Select(r => r.Name))}.", SandboxException.UsageExitCode);
}

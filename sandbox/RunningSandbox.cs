using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Sandbox;

/// <summary>A started sandbox: its outputs, and control over each region's servers for fault drills.</summary>
public sealed class RunningSandbox : IAsyncDisposable
{
    private readonly ServerBinaries _binaries;
    private readonly ServerUser _user;

    internal RunningSandbox(string directory, SandboxState state, TopologyOutputs outputs, string outputsPath, AdministratorCertificate administrator, ServerBinaries binaries, ServerUser user)
    {
        Directory = directory;
        State = state;
        Outputs = outputs;
        OutputsPath = outputsPath;
        Administrator = administrator;
        _binaries = binaries;
        _user = user;
    }

    /// <summary>The sandbox directory.</summary>
    public string Directory { get; }

    /// <summary>Regions and ports.</summary>
    public SandboxState State { get; }

    /// <summary>What verify reads.</summary>
    public TopologyOutputs Outputs { get; }

    /// <summary>The outputs file (0600: it holds client keys).</summary>
    public string OutputsPath { get; }

    /// <summary>The primary's <c>-app</c> Secret (0600), as CNPG's operator would create it: the password verify must see refused.</summary>
    public string AppSecretPath => Region(State.PrimaryRegion).Layout.AppSecret;

    /// <summary>verify's options for this sandbox: defaults, with the primary's app Secret.</summary>
    public VerifyOptions VerifyOptions(VerifyOptions? options = null) => (options ?? new VerifyOptions()) with { AppSecret = AppSecretFile.Read(AppSecretPath) };

    /// <summary>The sandbox-only superuser certificate.</summary>
    public AdministratorCertificate Administrator { get; }

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

    private PostgresServer Instance(string region) => new(Region(region), _binaries, _user);

    private PgBouncerServer Pooler(string region) => new(Region(region), _binaries, _user);

    private SandboxRegion Region(string name) =>
        State.Regions.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"No region '{name}' in this sandbox.", nameof(name));
}

using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Opens verify-full mTLS connections to a sandbox the way clients of the topology do.</summary>
public sealed class Connections(RunningSandbox sandbox) : IDisposable
{
    private readonly List<ClientIdentity> _identities = [];
    private readonly Connector _connector = new(
        Connector.TrustAnchors(sandbox.Outputs.RootCaCertificate),
        sandbox.Outputs.Database,
        TimeSpan.FromSeconds(10));

    /// <summary>Every region's name.</summary>
    public IReadOnlyList<string> Regions => [.. sandbox.Outputs.Regions.Select(r => r.Name)];

    /// <summary>A region by name.</summary>
    public RegionOutputs Region(string name) => sandbox.Outputs.Regions.Single(r => r.Name == name);

    /// <summary>Connects to <paramref name="target"/> with client <paramref name="client"/> of region <paramref name="clientRegion"/>.</summary>
    public Task<NpgsqlConnection> OpenAsync(ConnectionTarget target, string clientRegion, string client)
    {
        var identity = ClientIdentity.For(sandbox.Outputs, Region(clientRegion), client);
        _identities.Add(identity);
        return _connector.OpenAsync(target, identity, CancellationToken.None);
    }

    /// <summary>Connects to a region's instance as the sandbox's superuser.</summary>
    public Task<NpgsqlConnection> OpenAsAdministratorAsync(string region, string database = "postgres")
    {
        var identity = ClientIdentity.FromPem("postgres", File.ReadAllText(sandbox.Administrator.CertificatePath), File.ReadAllText(sandbox.Administrator.KeyPath));
        _identities.Add(identity);
        return new Connector(_connector.Roots, database, _connector.Timeout).OpenAsync(ConnectionTarget.Instance(Region(region)), identity, CancellationToken.None);
    }

    /// <inheritdoc />
    public void Dispose() => _identities.ForEach(i => i.Dispose());
}

using System.Text.Json.Serialization;

namespace CrossClusterIac.Topology.Outputs;

/// <summary>
/// What verify needs to check a deployed topology: one shape that the Pulumi stack exports (one stack output
/// per property), the sandbox writes, and verify reads. Private keys sit apart in <see cref="ClientKeys"/>
/// so that only they are secret in the stack.
/// </summary>
public sealed record TopologyOutputs
{
    /// <summary>The version of this shape; a reader refuses any other.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The environment the sandbox writes, whose servers verify's next commands drive with <c>sandbox</c>.</summary>
    public const string SandboxEnvironment = "sandbox";

    /// <summary>Version of the shape, so a later change is detected, not misread.</summary>
    [JsonRequired]
    public int SchemaVersion { get; init; }

    /// <summary>Stack name, or <see cref="SandboxEnvironment"/>.</summary>
    public required string Environment { get; init; }

    /// <summary>Region that runs the primary.</summary>
    public required string PrimaryRegion { get; init; }

    /// <summary>Application database every region serves.</summary>
    public required string Database { get; init; }

    /// <summary>The trusted roots (PEM): the shared root CA, or the current root and the next while a root rotation overlaps.</summary>
    public required string RootCaCertificate { get; init; }

    /// <summary>How long before expiry the stack re-issues each tier, in days; verify warns inside it. Absent in older documents.</summary>
    public RenewalWindows? RenewBeforeDays { get; init; }

    /// <summary>Every region, primary included.</summary>
    public required IReadOnlyList<RegionOutputs> Regions { get; init; }

    /// <summary>
    /// The stable writable endpoint: <c>pg-writer</c>, which in every region reaches the pooler of the region taking
    /// writes, as a client outside the clusters reaches it. Absent in older documents.
    /// </summary>
    public Endpoint? Writer { get; init; }

    /// <summary>The namespace and regions deployed, which the next run refuses to rename. Absent in older documents.</summary>
    public Config.DeployedIdentity? DeployedIdentity { get; init; }

    /// <summary>Client private keys (PEM) by region, then by role name. Secret.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ClientKeys { get; init; }
}

/// <summary>Renewal windows in days per certificate tier.</summary>
/// <param name="Root">The shared root.</param>
/// <param name="Intermediate">The regional intermediates.</param>
/// <param name="Leaf">Server and client certificates.</param>
public sealed record RenewalWindows(int Root, int Intermediate, int Leaf)
{
    /// <summary>The stack's windows, as <c>pki.renewBeforeDays</c> resolves them.</summary>
    public static RenewalWindows Of(Config.PkiSettings pki) => new(
        pki.RenewBeforeDays.DaysFor(Config.CertificateTier.Root, pki.Validity),
        pki.RenewBeforeDays.DaysFor(Config.CertificateTier.Intermediate, pki.Validity),
        pki.RenewBeforeDays.DaysFor(Config.CertificateTier.Leaf, pki.Validity));

    /// <summary>The window of one tier.</summary>
    public int For(Config.CertificateTier tier) => tier switch
    {
        Config.CertificateTier.Root => Root,
        Config.CertificateTier.Intermediate => Intermediate,
        _ => Leaf,
    };
}

/// <summary>Whether a region runs the primary or a replica.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RegionRole>))]
public enum RegionRole
{
    /// <summary>Accepts writes.</summary>
    Primary,

    /// <summary>Follows the primary.</summary>
    Replica,
}

/// <summary>One region as verify sees it.</summary>
public sealed record RegionOutputs
{
    /// <summary>Region name.</summary>
    public required string Name { get; init; }

    /// <summary>Primary or replica.</summary>
    public required RegionRole Role { get; init; }

    /// <summary>CNPG cluster name, e.g. <c>pg-eu</c>.</summary>
    public required string Cluster { get; init; }

    /// <summary>The cluster's read-write instance, reached directly.</summary>
    public required Endpoint Instance { get; init; }

    /// <summary>The cluster's PgBouncer pooler.</summary>
    public required Endpoint Pooler { get; init; }

    /// <summary>The region's server intermediate CA certificate (PEM).</summary>
    public required string ServerCaCertificate { get; init; }

    /// <summary>The region's client intermediate CA certificate (PEM); replicas' streaming certificates chain to it.</summary>
    public required string ClientCaCertificate { get; init; }

    /// <summary>Client certificates verify uses, by role name; keys are in <see cref="TopologyOutputs.ClientKeys"/>.</summary>
    public required IReadOnlyDictionary<string, ClientCertificate> Clients { get; init; }

    /// <summary>Seconds a delayed replica holds back replaying each commit (<c>replication.minApplyDelay</c>); absent when it does not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinApplyDelaySeconds { get; init; }

    /// <summary>
    /// <c>true</c> for a former primary a failover fenced: it runs no PostgreSQL until it is rejoined as a replica
    /// (<c>sandbox start</c>). Absent otherwise; the sandbox writes it, a stack does not export it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Fenced { get; init; }
}

/// <summary>A TCP endpoint and the name its server certificate must carry (verify-full).</summary>
/// <param name="Host">Address to connect to.</param>
/// <param name="Port">TCP port.</param>
/// <param name="ServerName">Name the server certificate is checked against.</param>
public sealed record Endpoint(string Host, int Port, string ServerName);

/// <summary>A client certificate for a database role.</summary>
/// <param name="User">Database role the certificate logs in as.</param>
/// <param name="CertificateChain">Leaf then client intermediate (PEM).</param>
public sealed record ClientCertificate(string User, string CertificateChain);

/// <summary>Role names under <see cref="RegionOutputs.Clients"/> and <see cref="TopologyOutputs.ClientKeys"/>.</summary>
public static class ClientNames
{
    /// <summary>The application role, used to write through the pooler and read on replicas.</summary>
    public const string App = "app";

    /// <summary>The least-privilege monitoring role.</summary>
    public const string Verify = "verify";

    /// <summary>A verify-role certificate that is already expired; servers must refuse it.</summary>
    public const string ExpiredProbe = "expiredProbe";
}

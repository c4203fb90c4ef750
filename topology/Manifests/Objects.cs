namespace CrossClusterIac.Topology.Manifests;

/// <summary>Shared metadata and the nested-map shorthand the manifest builders use.</summary>
internal static class Objects
{
    /// <summary>The barman-cloud CNPG-I plugin.</summary>
    public const string BarmanCloudPlugin = "barman-cloud.cloudnative-pg.io";

    /// <summary>
    /// The label on which CNPG watches a Secret or ConfigMap a Cluster uses and reloads what reads it
    /// (pkg/utils/labels_annotations.go WatchedLabelName; internal/controller/cluster_controller.go isUsefulClusterSecret).
    /// </summary>
    public const string ReloadLabel = "cnpg.io/reload";

    /// <summary>The labels that make CNPG reload what reads an object.</summary>
    public static Dictionary<string, string> Reloaded() => new(StringComparer.Ordinal) { [ReloadLabel] = "true" };

    /// <summary>The port PostgreSQL and PgBouncer listen on inside every cluster.</summary>
    public const int PostgresPort = 5432;

    /// <summary>A manifest with the project's labels.</summary>
    public static Manifest Create(string apiVersion, string kind, string name, string ns, Dictionary<string, object?> body, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var allLabels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app.kubernetes.io/managed-by"] = "crosscluster-iac",
            ["app.kubernetes.io/part-of"] = "cross-cluster-dr",
        };
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            allLabels[key] = value;
        }

        return new Manifest(apiVersion, kind, name, ns, allLabels, annotations ?? new Dictionary<string, string>(), body);
    }

    /// <summary>
    /// Makes Pulumi wait for a custom resource until it reports ready: without the annotation a custom resource
    /// counts as created as soon as the API server accepts it.
    /// </summary>
    public static Dictionary<string, string> AwaitUntil(string condition, TimeSpan timeout) => new(StringComparer.Ordinal)
    {
        ["pulumi.com/waitFor"] = condition,
        ["pulumi.com/timeoutSeconds"] = ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A secret key reference: <c>{name, key}</c>.</summary>
    public static Dictionary<string, object?> SecretKey(string secret, string key) => new() { ["name"] = secret, ["key"] = key };

    /// <summary>A local object reference: <c>{name}</c>.</summary>
    public static Dictionary<string, object?> Reference(string name) => new() { ["name"] = name };
}

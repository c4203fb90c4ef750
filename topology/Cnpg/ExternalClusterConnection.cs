namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// How a replica cluster's designated primary reaches its source, as CNPG v1.30 configures it
/// (<c>pkg/management/postgres/instance_replica.go</c> writeReplicaConfigurationForDesignatedPrimary,
/// <c>pkg/management/external/external.go</c> ConfigureConnectionToServer).
/// </summary>
/// <param name="Source">The <c>externalClusters</c> entry named by <c>spec.replica.source</c>.</param>
/// <param name="Parameters">
/// The entry's <c>connectionParameters</c> verbatim plus <c>sslcert</c>, <c>sslkey</c>, <c>sslrootcert</c> for its
/// secret references; empty when the entry has none, and then <c>primary_conninfo</c> is empty and WAL comes only
/// from the archive (restore_command).
/// </param>
/// <param name="Files">The secret keys CNPG reads through the API and writes 0600 under <c>external/&lt;entry&gt;/</c>.</param>
public sealed record ExternalClusterConnection(string Source, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<ConfigFile> Files)
{
    /// <summary>Whether the designated primary streams (it has a <c>primary_conninfo</c>) rather than replaying the archive only.</summary>
    public bool Streams => Parameters.Count > 0;

    /// <summary><c>primary_conninfo</c>.</summary>
    public string PrimaryConnInfo => ConnectionString.Render(Parameters);

    /// <summary>
    /// The connection of <paramref name="cluster"/>'s designated primary to <c>spec.replica.source</c>, or <c>null</c>
    /// when the Cluster is not a replica cluster.
    /// </summary>
    /// <exception cref="CnpgRealisationException">The source is not an <c>externalClusters</c> entry, or a referenced Secret is missing.</exception>
    public static ExternalClusterConnection? For(IReadOnlyDictionary<string, object?> cluster, SecretStore secrets, ControllerPaths paths)
    {
        if (!InstanceParameters.IsReplicaCluster(cluster))
        {
            return null;
        }

        var spec = ManifestFields.Map(cluster, "spec");
        var source = ManifestFields.String(ManifestFields.Map(spec, "replica"), "source")
            ?? throw new CnpgRealisationException("spec.replica.source is required for a replica cluster");
        var entry = ManifestFields.Maps(spec, "externalClusters").FirstOrDefault(e => ManifestFields.String(e, "name") == source)
            ?? throw new CnpgRealisationException($"spec.replica.source: external cluster {source} not found in spec.externalClusters");

        var parameters = ManifestFields.Map(entry, "connectionParameters").ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
        var files = new List<ConfigFile>();
        foreach (var (field, parameter) in new[] { ("sslCert", "sslcert"), ("sslKey", "sslkey"), ("sslRootCert", "sslrootcert") })
        {
            var selector = ManifestFields.Map(entry, field);
            if (selector.Count == 0)
            {
                continue;
            }

            if (parameters.Count == 0)
            {
                // CNPG would write into a nil map here and fail; say so instead.
                throw new CnpgRealisationException($"spec.externalClusters[{source}].{field} is set without connectionParameters");
            }

            var path = paths.ExternalSecretKey(source, (string)selector["name"]!, (string)selector["key"]!);
            files.Add(new ConfigFile(path, secrets.Get(selector)));
            parameters[parameter] = path;
        }

        return new ExternalClusterConnection(source, parameters, files);
    }
}

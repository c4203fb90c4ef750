namespace CrossClusterIac.Tests.Topology.Config;

/// <summary>A valid two-region stack file that tests bend one key at a time.</summary>
internal static class ConfigYaml
{
    public const string Valid = """
        config:
          cross-cluster-dr:topology:
            primaryRegion: eu
            regions:
              - name: eu
                kubeContext: ctx-eu
                objectStore:
                  name: minio-eu
                  endpointUrl: http://minio-eu:9000
                  destinationPath: s3://backups/
                  credentials:
                    secretName: minio-eu
                exposure:
                  address: 172.18.0.2
              - name: us
                kubeContext: ctx-us
                objectStore:
                  name: minio-us
                  endpointUrl: http://minio-us:9000
                  destinationPath: s3://backups-us/
                  credentials:
                    secretName: minio-us
                exposure:
                  address: 172.18.0.3
        """;

    /// <summary>The valid file with one exact fragment replaced; fails loudly if the fragment is not there.</summary>
    public static string With(string fragment, string replacement)
    {
        Assert.Contains(fragment, Valid, StringComparison.Ordinal);
        var index = Valid.IndexOf(fragment, StringComparison.Ordinal);
        return string.Concat(Valid.AsSpan(0, index), replacement, Valid.AsSpan(index + fragment.Length));
    }

    /// <summary>The valid file with extra keys appended under the topology (indented for it).</summary>
    public static string WithTopology(string yaml) =>
        Valid + "\n" + string.Join("\n", yaml.Split('\n').Select(line => "    " + line));
}

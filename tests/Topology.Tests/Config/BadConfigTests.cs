using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Tests.Topology.Config;

public class BadConfigTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        // case, stack file, key that must be named, a word of the fix
        { "no regions", "config:\n  cross-cluster-dr:topology:\n    primaryRegion: eu\n    regions: []", "topology.regions", "at least" },
        { "no primary", ConfigYaml.With("    primaryRegion: eu\n", string.Empty), "topology.primaryRegion", "eu, us" },
        { "unknown primary", ConfigYaml.With("primaryRegion: eu", "primaryRegion: ap"), "topology.primaryRegion", "one of: eu, us" },
        { "duplicate region", ConfigYaml.With("- name: us", "- name: eu"), "topology.regions[1].name", "own name" },
        { "name not a DNS label", ConfigYaml.With("- name: us", "- name: US_East"), "topology.regions[1].name", "lowercase" },
        { "name too long", ConfigYaml.With("- name: us", "- name: " + new string('u', 50)), "topology.regions[1].name", "shorten" },
        { "missing kube context", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: \"\""), "topology.regions[1].kubeContext", "kubectl config get-contexts" },
        { "shared kube context", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-eu"), "topology.regions[1].kubeContext", "own context" },
        { "bad endpoint URL", ConfigYaml.With("http://minio-us:9000", "minio-us:9000"), "topology.regions[1].objectStore.endpointUrl", "http://" },
        { "destination without scheme", ConfigYaml.With("s3://backups-us/", "backups"), "topology.regions[1].objectStore.destinationPath", "s3://" },
        { "missing credentials", ConfigYaml.With("          credentials:\n            secretName: minio-us\n", string.Empty), "topology.regions[1].objectStore.credentials.secretName", "Secret" },
        { "a rolling image tag", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      image: ghcr.io/cloudnative-pg/postgresql:15\n"), "topology.postgres.image", "15.14-system-trixie" },
        { "a latest image", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      image: postgres:latest\n"), "topology.postgres.image", "@sha256" },
        { "a parameter CNPG fixes", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      parameters:\n        primary_conninfo: host=x\n"), "topology.postgres.parameters.primary_conninfo", "webhook refuses" },
        { "archive_timeout as a parameter", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      parameters:\n        archive_timeout: 1min\n"), "topology.postgres.parameters.archive_timeout", "topology.replication.archiveTimeout" },
        { "a parameter name with a space", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      parameters:\n        \"work mem\": 8MB\n"), "topology.postgres.parameters.work mem", "lowercase letters" },
        { "a retention of hours", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n          retentionPolicy: 12h\n"), "topology.regions[1].objectStore.retentionPolicy", "'30d'" },
        { "a compression barman-cloud lacks for backups", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n          backupCompression: zstd\n"), "topology.regions[1].objectStore.backupCompression", "bzip2, gzip, lz4, snappy" },
        { "no parallel WAL", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n          walMaxParallel: 0\n"), "topology.regions[1].objectStore.walMaxParallel", "1 to 64" },
        { "an unknown encryption", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n          encryption: aes\n"), "topology.regions[1].objectStore.encryption", "AES256 or aws:kms" },
        { "an IAM role and a Secret", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n            inheritFromIamRole: true\n"), "topology.regions[1].objectStore.credentials.secretName", "remove one" },
        { "a role ARN without the IAM role", ConfigYaml.With("            secretName: minio-us\n", "            secretName: minio-us\n            iamRoleArn: arn:aws:iam::123456789012:role/x\n"), "topology.regions[1].objectStore.credentials.iamRoleArn", "inheritFromIamRole: true" },
        { "a role ARN that is none", ConfigYaml.With("            secretName: minio-us\n", "            inheritFromIamRole: true\n            iamRoleArn: role/x\n"), "topology.regions[1].objectStore.credentials.iamRoleArn", "arn:aws:iam::" },
        { "a memory request above its limit", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      resources:\n        requests: {memory: 2Gi}\n        limits: {memory: 1Gi}\n"), "topology.postgres.resources.requests.memory", "at most the limit" },
        { "a cpu that is no quantity", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      poolerResources:\n        requests: {cpu: half}\n"), "topology.postgres.poolerResources.requests.cpu", "'500m'" },
        { "a memory beyond what a quantity holds", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      resources:\n        limits: {memory: 99999999999999999999Ei}\n"), "topology.postgres.resources.limits.memory", "'512Mi'" },
        { "a resource that is neither cpu nor memory", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      resources:\n        limits: {gpu: \"1\"}\n"), "topology.postgres.resources.limits.gpu", "cpu and memory" },
        { "a storage class that is no name", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    postgres:\n      storageClass: Fast SSD\n"), "topology.postgres.storageClass", "gp3" },
        { "bad object store name", ConfigYaml.With("name: minio-us", "name: Minio_US"), "topology.regions[1].objectStore.name", "lowercase" },
        { "bad address", ConfigYaml.With("address: 172.18.0.3", "address: not an address!"), "topology.regions[1].exposure.address", "IPv4 or IPv6" },
        { "integer address", ConfigYaml.With("address: 172.18.0.3", "address: \"3232235521\""), "topology.regions[1].exposure.address", "'10.1' and '3232235521' are not names" },
        { "short address", ConfigYaml.With("address: 172.18.0.3", "address: \"10.1\""), "topology.regions[1].exposure.address", "IPv4 or IPv6" },
        { "bracketed IPv6", ConfigYaml.With("address: 172.18.0.3", "address: \"[2001:db8::1]\""), "topology.regions[1].exposure.address", "without brackets" },
        { "zoned IPv6", ConfigYaml.With("address: 172.18.0.3", "address: \"fe80::1%eth0\""), "topology.regions[1].exposure.address", "zone" },
        { "a loopback node address", ConfigYaml.With("address: 172.18.0.3", "address: 127.0.0.1"), "topology.regions[1].exposure.address", "loopback" },
        { "a link-local node address", ConfigYaml.With("address: 172.18.0.3", "address: \"fe80::1\""), "topology.regions[1].exposure.address", "link-local" },
        { "an IPv4-mapped IPv6 node address", ConfigYaml.With("address: 172.18.0.3", "address: \"::ffff:172.18.0.3\""), "topology.regions[1].exposure.address", "write it as 172.18.0.3" },
        { "node port with a DNS name", ConfigYaml.With("address: 172.18.0.3", "address: node.example.com"), "topology.regions[1].exposure.address", "kube-proxy routes only IP EndpointSlices" },
        { "load balancer saying nothing of who connects", ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer"), "topology.regions[1].exposure.loadBalancer", "public: true" },
        { "load balancer with a bad source range", ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer\n          loadBalancer:\n            sourceRanges: [\"10.0.0.1/8\"]"), "topology.regions[1].exposure.loadBalancer.sourceRanges[0]", "host bits zero" },
        { "hostname load balancer on another port", ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer\n          poolerPort: 6432\n          loadBalancer:\n            public: true\n            ingress: hostname"), "topology.regions[1].exposure.poolerPort", "ExternalName" },
        { "node port with load-balancer settings", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          loadBalancer:\n            public: true"), "topology.regions[1].exposure.loadBalancer", "type: LoadBalancer" },
        { "annotation that is not text", ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer\n          loadBalancer:\n            annotations:\n              internal: true"), "topology.regions[1].exposure.loadBalancer.annotations.internal", "quote it" },
        { "public that is not a boolean", ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer\n          loadBalancer:\n            public: maybe"), "topology.regions[1].exposure.loadBalancer.public", "true or false" },
        { "creating Kubernetes' own namespace", ConfigYaml.WithTopology("namespace:\n  name: kube-system\n  create: true"), "topology.namespace.create", "Kubernetes' own" },
        { "port out of range", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          rwPort: 70000"), "topology.regions[1].exposure.rwPort", "between 1 and 65535" },
        { "port outside NodePort range", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          rwPort: 5432"), "topology.regions[1].exposure.rwPort", "30000" },
        { "same rw and pooler port", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          poolerPort: 30432"), "topology.regions[1].exposure.poolerPort", "different ports" },
        { "shared address and port", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.2"), "topology.regions[1].exposure.rwPort", "cannot share" },
        { "unknown exposure type", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          type: Ingress"), "topology.regions[1].exposure.type", "NodePort, LoadBalancer" },
        { "port as text", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          rwPort: high"), "topology.regions[1].exposure.rwPort", "whole number" },
        { "load-balancer address", ConfigYaml.With("address: 172.18.0.3", "address: 10.0.0.9\n          type: LoadBalancer\n          loadBalancer:\n            public: true"), "topology.regions[1].exposure.address", "from their status" },
        { "missing exposure", ConfigYaml.With("        exposure:\n          address: 172.18.0.3", string.Empty), "topology.regions[1].exposure", "address" },
        { "unknown key", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        kubecontext: typo"), "topology.regions[1].kubecontext", "kubeContext" },
        { "leaf outlives intermediate", ConfigYaml.WithTopology("pki:\n  validity:\n    leafDays: 2000"), "topology.pki.validity.leafDays", "shorter than intermediateDays" },
        { "intermediate outlives root", ConfigYaml.WithTopology("pki:\n  validity:\n    intermediateDays: 4000"), "topology.pki.validity.intermediateDays", "shorter than rootDays" },
        { "zero validity", ConfigYaml.WithTopology("pki:\n  validity:\n    leafDays: 0"), "topology.pki.validity.leafDays", "positive" },
        { "renewal window as long as the validity", ConfigYaml.WithTopology("pki:\n  renewBeforeDays:\n    leafDays: 365"), "topology.pki.renewBeforeDays.leafDays", "fewer days than pki.validity.leafDays" },
        { "no renewal window", ConfigYaml.WithTopology("pki:\n  renewBeforeDays:\n    rootDays: 0"), "topology.pki.renewBeforeDays.rootDays", "leave it out" },
        { "root generation zero", ConfigYaml.WithTopology("pki:\n  rootGeneration: 0"), "topology.pki.rootGeneration", "add one when a root rotation completes" },
        { "unknown root rotation phase", ConfigYaml.WithTopology("pki:\n  rootRotation: dropOld"), "topology.pki.rootRotation", "trustNext, signWithNext" },
        { "apply delay not a duration", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        replication:\n          minApplyDelay: an hour"), "topology.regions[1].replication.minApplyDelay", "Go duration" },
        { "apply delay under a second", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        replication:\n          minApplyDelay: 500ms"), "topology.regions[1].replication.minApplyDelay", "rounding down" },
        { "apply delay on the primary", ConfigYaml.With("kubeContext: ctx-eu", "kubeContext: ctx-eu\n        replication:\n          minApplyDelay: 1h"), "topology.regions[0].replication.minApplyDelay", "put the delay on a replica" },
        { "apply delay on the switchover's target", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        replication:\n          minApplyDelay: 1h").Replace("    primaryRegion: eu\n", "    primaryRegion: eu\n    switchover:\n      to: us\n", StringComparison.Ordinal), "topology.regions[1].replication.minApplyDelay", "refuses minApplyDelay together with a promotion token" },
        { "unknown key algorithm", ConfigYaml.WithTopology("pki:\n  keyAlgorithm: DSA-1024"), "topology.pki.keyAlgorithm", "ECDSA-P256" },
        { "empty organisation", ConfigYaml.WithTopology("pki:\n  organization: \"\""), "topology.pki.organization", "organisation" },
        { "unknown replication mode", ConfigYaml.WithTopology("replication:\n  mode: logical"), "topology.replication.mode", "streaming, archive" },
        { "archive timeout not a duration", ConfigYaml.WithTopology("replication:\n  archiveTimeout: soon"), "topology.replication.archiveTimeout", "Go duration" },
        { "archive timeout not whole seconds", ConfigYaml.WithTopology("replication:\n  archiveTimeout: 1500ms"), "topology.replication.archiveTimeout", "counts archive_timeout in seconds" },
        { "archive timeout of zero", ConfigYaml.WithTopology("replication:\n  archiveTimeout: 0s"), "topology.replication.archiveTimeout", "leave the key out" },
        { "archive replica lag in streaming mode", ConfigYaml.WithTopology("monitoring:\n  archiveReplicaLagSeconds: 900"), "topology.monitoring.archiveReplicaLagSeconds", "replication.mode archive only" },
        { "archive replica lag within the archive timeout", ConfigYaml.WithTopology("replication:\n  mode: archive\n  archiveTimeout: 10m\nmonitoring:\n  archiveReplicaLagSeconds: 600"), "topology.monitoring.archiveReplicaLagSeconds", "more than the archive timeout (600 s)" },
        { "namespace not a label", ConfigYaml.WithTopology("namespace: My Namespace"), "topology.namespace", "lowercase" },
        { "no instances", ConfigYaml.WithTopology("postgres:\n  instances: 0"), "topology.postgres.instances", "1 or more" },
        { "bad storage size", ConfigYaml.WithTopology("postgres:\n  storageSize: 1 GB"), "topology.postgres.storageSize", "1Gi" },
        { "reserved owner", ConfigYaml.WithTopology("postgres:\n  owner: streaming_replica"), "topology.postgres.owner", "another application role" },
        { "bad database name", ConfigYaml.WithTopology("postgres:\n  database: app-db"), "topology.postgres.database", "identifier" },
        { "five-field cron", ConfigYaml.WithTopology("postgres:\n  backupSchedule: 0 0 * * *"), "topology.postgres.backupSchedule", "seconds" },
        { "switchover without a target", ConfigYaml.WithTopology("switchover: {}"), "topology.switchover.to", "one of: us" },
        { "switchover to an unknown region", ConfigYaml.WithTopology("switchover:\n  to: ap"), "topology.switchover.to", "one of: us" },
        { "switchover to the primary", ConfigYaml.WithTopology("switchover:\n  to: eu"), "topology.switchover.to", "already the primary" },
        { "promotion token not base64", ConfigYaml.WithTopology("switchover:\n  to: us\n  promotionToken: not-a-token!"), "topology.switchover.promotionToken", "Base64 decoding failed" },
        { "promotion token without a REDO WAL file", ConfigYaml.WithTopology("switchover:\n  to: us\n  promotionToken: " + System.Convert.ToBase64String("{\"latestCheckpointTimelineID\":\"1\"}"u8.ToArray())), "topology.switchover.promotionToken", "REDOWALFile is empty" },
        { "regions not a list", "config:\n  cross-cluster-dr:topology:\n    primaryRegion: eu\n    regions: eu", "topology.regions", "list" },
        { "no topology key", "config:\n  cross-cluster-dr:other: 1", TopologyConfigLoader.ConfigKey, "example" },
        { "not YAML", "config: [unclosed", "line", "YAML" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadConfigNamesTheKeyAndTheFix(string name, string yaml, string key, string fix)
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(yaml));

        var problem = Assert.Single(error.Problems, p => p.Key.StartsWith(key, StringComparison.Ordinal));
        Assert.True(problem.Message.Contains(fix, StringComparison.OrdinalIgnoreCase), $"{name}: '{problem.Message}' does not say '{fix}'");
        Assert.Contains(problem.Key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("primaryRegion: eu", "primaryRegon: eu", "topology.primaryRegon", "primaryRegion")]
    [InlineData("kubeContext: ctx-us", "kubeContxt: ctx-us", "topology.regions[1].kubeContxt", "kubeContext")]
    [InlineData("endpointUrl: http://minio-us:9000", "endpointURL: http://minio-us:9000", "topology.regions[1].objectStore.endpointURL", "endpointUrl")]
    [InlineData("secretName: minio-us", "secretNmae: minio-us", "topology.regions[1].objectStore.credentials.secretNmae", "secretName")]
    public void AMistypedKeyIsOneProblemThatNamesTheKeyItWasMeantAs(string fragment, string typo, string key, string meant)
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(ConfigYaml.With(fragment, typo)));

        // Not a second "missing" of the key it stands for, nor anything that follows from that key's absence.
        var problem = Assert.Single(error.Problems);
        Assert.Equal(key, problem.Key);
        Assert.Contains($"Did you mean '{meant}'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownKeyNearNoKeyIsNamedWithoutAGuess()
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        flavour: vanilla")));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("topology.regions[1].flavour", problem.Key);
        Assert.DoesNotContain("Did you mean", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Allowed keys here:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var yaml = ConfigYaml.With("- name: us", "- name: US").Replace("kubeContext: ctx-eu", "kubeContext: \"\"", StringComparison.Ordinal)
            + "\n    pki:\n      keyAlgorithm: DSA";

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(yaml));

        Assert.Equal(
            ["topology.pki.keyAlgorithm", "topology.regions[0].kubeContext", "topology.regions[1].name"],
            error.Problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void InvalidJsonConfigIsReportedLikeYaml()
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromJson("""{"primaryRegion":"eu","regions":[{"name":"eu","kubeContext":3}]}"""));

        Assert.Contains(error.Problems, p => p.Key == "topology.regions[0].objectStore");
        Assert.Contains(error.Problems, p => p.Key == "topology.regions[0].exposure");
    }
}

using System.Diagnostics;
using System.Text;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Config;

/// <summary>
/// Bad input never crashes and is never silently accepted: every hostile or malformed stack file is refused with a
/// <see cref="TopologyConfigException"/> naming the key (or file) and the fix, in bounded time and memory.
/// </summary>
public sealed class HostileConfigTests : IDisposable
{
    private const string Topology = "config:\n  cross-cluster-dr:topology:\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-config-").FullName;

    // A LoadBalancer exposure for region us with the given loadBalancer keys (indented under it).
    private static string Balancer(string keys) =>
        ConfigYaml.With("address: 172.18.0.3", "type: LoadBalancer\n          loadBalancer:\n" + string.Join("\n", keys.Split('\n').Select(l => "            " + l)));

    private static string Annotation(string key, string value = "x") => Balancer($"annotations:\n  \"{key}\": \"{value}\"");

    // "Billion laughs": each level is nine aliases of the one before, so `levels` levels stand for 9^levels values.
    private static string Laughs(int levels) =>
        Topology + "    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" +
        string.Concat(Enumerable.Range(1, levels - 1).Select(i => $"    a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n"));

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // case, stack file, key (or key prefix) that must be named, a word of the fix

        // 1. YAML bounds: aliases counted as copies, no cycles, nesting bounded, keys are text.
        { "billion laughs", Laughs(10), "topology.a", "aliases" },
        { "a quarter-million values through aliases", Laughs(6), "topology.a", "aliases" },
        { "laughs inside a region", ConfigYaml.With("        kubeContext: ctx-us\n", "        kubeContext: ctx-us\n        x: &l0 [a, a, a, a, a, a, a, a, a, a]\n        y: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n        z: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n        w: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n        v: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n"), "topology.regions[1]", "aliases" },
        { "a list that contains its own alias", Topology + "    primaryRegion: &a [*a]\n", "topology.primaryRegion[0]", "never end" },
        { "a mapping that contains its own alias", Topology + "    postgres: &p\n      image: *p\n", "topology.postgres.image", "never end" },
        { "an alias without an anchor", ConfigYaml.With("primaryRegion: eu", "primaryRegion: *nowhere"), "topology.primaryRegion", "no anchor &nowhere" },
        { "a hundred thousand values without aliases", Topology + "    regions: [" + string.Join(",", Enumerable.Repeat("1", BoundedYaml_MaxNodes + 1)) + "]\n", "topology.regions[", "few hundred" },
        { "nesting 40 levels deep", Topology + "    regions: " + new string('[', 40) + new string(']', 40) + "\n", "topology.regions[0]", "levels" },
        { "a list as a key", Topology + "    ? [a, b]\n    : c\n", "topology", "plain text" },
        { "a mapping as a key", Topology + "    {a: 1}: x\n", "topology", "plain text" },
        { "a list as a key inside a region", ConfigYaml.With("        kubeContext: ctx-us\n", "        kubeContext: ctx-us\n        ? [a, b]\n        : c\n"), "topology.regions[1]", "plain text" },
        { "an alias of a mapping as a key", Topology + "    x: &m {a: 1}\n    *m : y\n", "topology", "plain text" },
        { "a merge key", ConfigYaml.With("        kubeContext: ctx-us\n", "        kubeContext: ctx-us\n        <<: {name: us}\n"), "topology.regions[1].<<", "merge keys" },
        { "a custom tag", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: !vault ctx-us"), "topology.regions[1].kubeContext", "tag !vault" },

        // 2. Strictness: null entries, duplicate keys and names named with every occurrence.
        { "a null region", ConfigYaml.With("    regions:\n", "    regions:\n      - ~\n"), "topology.regions[0]", "empty entry" },
        { "an empty region entry", ConfigYaml.With("    regions:\n", "    regions:\n      -\n"), "topology.regions[0]", "empty entry" },
        { "a null region between regions", ConfigYaml.With("      - name: us", "      - null\n      - name: us"), "topology.regions[1]", "empty entry" },
        { "a null region keeps later indices", ConfigYaml.With("      - name: us", "      - ~\n      - name: US"), "topology.regions[2].name", "DNS label" },
        { "a null source range", Balancer("sourceRanges: [\"10.0.0.0/8\", ~]"), "topology.regions[1].exposure.loadBalancer.sourceRanges[1]", "empty entry" },
        { "a duplicate key", ConfigYaml.With("    primaryRegion: eu\n", "    primaryRegion: eu\n    primaryRegion: us\n"), "topology.primaryRegion", "first at line 3, again at line 4" },
        { "a duplicate key in a region", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-us\n        kubeContext: ctx-us2"), "topology.regions[1].kubeContext", "first at line" },
        { "a duplicate annotation", Balancer("annotations:\n  a: \"1\"\n  a: \"2\""), "topology.regions[1].exposure.loadBalancer.annotations.a", "keep one" },
        { "a duplicate region name names both", ConfigYaml.With("- name: us", "- name: eu"), "topology.regions[1].name", "regions[0].name and regions[1].name" },
        { "an aliased region repeats its name", ConfigYaml.With("      - name: eu\n", "      - &eu\n        name: eu\n").Replace("      - name: us", "      - *eu\n      - name: us", StringComparison.Ordinal), "topology.regions[1].name", "regions[0].name and regions[1].name" },
        { "a shared kube context names both", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: ctx-eu"), "topology.regions[1].kubeContext", "regions[0].kubeContext and regions[1].kubeContext" },
        { "two object stores of one name", ConfigYaml.With("name: minio-us", "name: minio-eu"), "topology.regions[1].objectStore.name", "regions[0].objectStore.name and regions[1].objectStore.name" },
        { "an object store named like a default", ConfigYaml.With("          name: minio-eu\n", string.Empty).Replace("name: minio-us", "name: pg-eu-store", StringComparison.Ordinal), "topology.regions[1].objectStore.name", "own name" },
        { "a value of 5000 characters", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: " + new string('c', 5000)), "topology.regions[1].kubeContext", "Shorten" },
        { "a key of 5000 characters", ConfigYaml.WithTopology("? " + new string('k', 5000) + "\n: 1"), "topology.kkkk", "a key of 5000" },

        // 3. Numbers: every one bounded, overflow reported as such.
        { "rootDays at int.MaxValue", ConfigYaml.WithTopology("pki:\n  validity:\n    rootDays: 2147483647"), "topology.pki.validity.rootDays", "100 years" },
        { "rootDays past year 9999", ConfigYaml.WithTopology("pki:\n  validity:\n    rootDays: 3000000"), "topology.pki.validity.rootDays", "100 years" },
        { "intermediateDays over a century", ConfigYaml.WithTopology("pki:\n  validity:\n    rootDays: 50000\n    intermediateDays: 40000"), "topology.pki.validity.intermediateDays", "36500" },
        { "rootDays beyond a long", ConfigYaml.WithTopology("pki:\n  validity:\n    rootDays: 99999999999999999999"), "topology.pki.validity.rootDays", "out of range" },
        { "instances beyond a long", ConfigYaml.WithTopology("postgres:\n  instances: 99999999999999999999"), "topology.postgres.instances", "out of range" },
        { "a port beyond an int", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          rwPort: 4294967296"), "topology.regions[1].exposure.rwPort", "out of range" },
        { "a port far below zero", ConfigYaml.With("address: 172.18.0.3", "address: 172.18.0.3\n          poolerPort: -99999999999999999999999"), "topology.regions[1].exposure.poolerPort", "out of range" },
        { "a thousand-digit number", ConfigYaml.WithTopology("postgres:\n  poolerInstances: " + new string('9', 1000)), "topology.postgres.poolerInstances", "1000 digits" },
        { "101 instances", ConfigYaml.WithTopology("postgres:\n  instances: 101"), "topology.postgres.instances", "at most 100" },
        { "a million pooler instances", ConfigYaml.WithTopology("postgres:\n  poolerInstances: 1000000"), "topology.postgres.poolerInstances", "at most 100" },
        { "a zero storage size", ConfigYaml.WithTopology("postgres:\n  storageSize: 0Gi"), "topology.postgres.storageSize", "more than zero" },
        { "a bare zero storage size", ConfigYaml.WithTopology("postgres:\n  storageSize: \"0\""), "topology.postgres.storageSize", "more than zero" },
        { "a storage size past 8Ei", ConfigYaml.WithTopology("postgres:\n  storageSize: 9Ei"), "topology.postgres.storageSize", "8Ei" },
        { "a storage size of 25 digits", ConfigYaml.WithTopology("postgres:\n  storageSize: 9999999999999999999999999Gi"), "topology.postgres.storageSize", "8Ei" },
        { "a zero WAL size", ConfigYaml.WithTopology("postgres:\n  walStorageSize: 0.0Mi"), "topology.postgres.walStorageSize", "more than zero" },

        // 4/6. Names and values as Kubernetes, kubectl, X.509 and S3 read them.
        { "an empty object store name", ConfigYaml.With("name: minio-us", "name: \"\""), "topology.regions[1].objectStore.name", "remove the key" },
        { "an object store name of 254 characters", ConfigYaml.With("name: minio-us", "name: " + string.Join('.', Enumerable.Repeat(new string('a', 50), 5)) + "bcd"), "topology.regions[1].objectStore.name", "253" },
        { "a secret name with capitals", ConfigYaml.With("secretName: minio-us", "secretName: Minio_US"), "topology.regions[1].objectStore.credentials.secretName", "Secret name" },
        { "a secret name of 254 characters", ConfigYaml.With("secretName: minio-us", "secretName: " + new string('s', 254)), "topology.regions[1].objectStore.credentials.secretName", "253" },
        { "a secret key with a space", ConfigYaml.With("secretName: minio-us", "secretName: minio-us\n            accessKeyIdKey: ACCESS KEY"), "topology.regions[1].objectStore.credentials.accessKeyIdKey", "a Secret can hold" },
        { "a secret key of '..'", ConfigYaml.With("secretName: minio-us", "secretName: minio-us\n            secretAccessKeyKey: \"..\""), "topology.regions[1].objectStore.credentials.secretAccessKeyKey", "a Secret can hold" },
        { "a secret key with a slash", ConfigYaml.With("secretName: minio-us", "secretName: minio-us\n            accessKeyIdKey: keys/id"), "topology.regions[1].objectStore.credentials.accessKeyIdKey", "a Secret can hold" },
        { "credentials in the endpoint URL", ConfigYaml.With("http://minio-us:9000", "http://admin:secret@minio-us:9000"), "topology.regions[1].objectStore.endpointUrl", "credentials Secret" },
        { "a space in the endpoint URL", ConfigYaml.With("http://minio-us:9000", "\"http://minio-us:9000/my bucket\""), "topology.regions[1].objectStore.endpointUrl", "with a host" },
        { "a newline in the destination path", ConfigYaml.With("s3://backups-us/", "\"s3://backups-us/\\nkind: Secret\""), "topology.regions[1].objectStore.destinationPath", "without spaces" },
        { "a space in the destination path", ConfigYaml.With("s3://backups-us/", "\"s3://backups us/\""), "topology.regions[1].objectStore.destinationPath", "without spaces" },
        { "a newline in the kube context", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: \"ctx-us\\nkind: Secret\""), "topology.regions[1].kubeContext", "kubectl would misread" },
        { "a kube context that is a flag", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: \"--kubeconfig=/etc/passwd\""), "topology.regions[1].kubeContext", "leading '-'" },
        { "a kube context with spaces around it", ConfigYaml.With("kubeContext: ctx-us", "kubeContext: \" ctx-us \""), "topology.regions[1].kubeContext", "surrounding spaces" },
        { "an image with a space", ConfigYaml.WithTopology("postgres:\n  image: \"postgres 15\""), "topology.postgres.image", "image reference" },
        { "an annotation name of 64 characters", Annotation("example.com/" + new string('n', 64)), "topology.regions[1].exposure.loadBalancer.annotations.example.com/", "at most 63" },
        { "an annotation prefix label of 64 characters", Annotation(new string('p', 64) + ".example.com/name"), "topology.regions[1].exposure.loadBalancer.annotations.pppp", "at most 253" },
        { "an annotation prefix of 254 characters", Annotation(string.Join('.', Enumerable.Repeat(new string('p', 50), 5)) + "abc/name"), "topology.regions[1].exposure.loadBalancer.annotations.pppp", "at most 253" },
        { "annotations over 256 KiB", Balancer("annotations:\n" + string.Concat(Enumerable.Range(0, 70).Select(i => $"  a{i}: \"{new string('v', 4000)}\"\n")).TrimEnd('\n')), "topology.regions[1].exposure.loadBalancer.annotations", "262144" },
        { "an organisation of 65 characters", ConfigYaml.WithTopology("pki:\n  organization: " + new string('o', 65)), "topology.pki.organization", "ub-organization-name" },
        { "a newline in the organisation", ConfigYaml.WithTopology("pki:\n  organization: \"Example\\nCorp\""), "topology.pki.organization", "control characters" },
    };

    // Mirrors BoundedYaml.MaxNodes (internal): a flat list one value longer than the budget.
    private const int BoundedYaml_MaxNodes = 100_000;

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostileStackFileIsRefusedNamingTheKeyAndTheFix(string name, string yaml, string key, string fix)
    {
        foreach (var load in new Func<TopologyConfig>[] { () => TopologyConfigLoader.FromStackYaml(yaml), () => TopologyConfigLoader.FromStackFile(Write(name, yaml)) })
        {
            var error = Assert.Throws<TopologyConfigException>(load);

            Assert.True(
                error.Problems.Any(p => p.Key.StartsWith(key, StringComparison.Ordinal) && p.Message.Contains(fix, StringComparison.Ordinal)),
                $"{name}: no problem names '{key}' and says '{fix}':{Environment.NewLine}{Shorten(error.Message)}");
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
            // Bounded: one line per problem, never the hostile value itself.
            Assert.All(error.Problems, p => Assert.True(p.ToString().Length < 1500, $"{name}: a problem of {p.ToString().Length} characters"));
        }
    }

    [Theory]
    [InlineData("a Latin-1 é", new byte[] { 0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0x75 }, 6, 1)]
    [InlineData("a lone continuation byte on line 2", new byte[] { 0x61, 0x3A, 0x20, 0x62, 0x0A, 0x63, 0x3A, 0x20, 0x80 }, 8, 2)]
    [InlineData("an overlong encoding of '/'", new byte[] { 0x61, 0x3A, 0x20, 0xC0, 0xAF }, 3, 1)]
    [InlineData("a sequence cut off at the end", new byte[] { 0x61, 0x3A, 0x20, 0xE2, 0x82 }, 3, 1)]
    [InlineData("a surrogate encoded in UTF-8", new byte[] { 0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80 }, 3, 1)]
    public void NonUtf8ByteIsRefusedWithItsOffsetAndLine(string name, byte[] bytes, int offset, int line)
    {
        var path = Path.Combine(_directory, "Pulumi.latin1.yaml");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackFile(path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(path, problem.Key);
        Assert.True(problem.Message.StartsWith($"byte {offset} (line {line}) is 0x{bytes[offset]:X2}, which is not UTF-8; save the stack file as UTF-8", StringComparison.Ordinal), $"{name}: {problem.Message}");
    }

    [Fact]
    public void Utf16StackFileIsRefusedNamingTheEncoding()
    {
        var path = Write("utf16", ConfigYaml.Valid, Encoding.Unicode);

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackFile(path));

        Assert.Contains("UTF-16", Assert.Single(error.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8ByteOrderMarkAndNonAsciiTextAreAccepted()
    {
        var path = Write("bom", ConfigYaml.WithTopology("pki:\n  organization: Société Générale"), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal("Société Générale", TopologyConfigLoader.FromStackFile(path).Pki.Organization);
    }

    [Theory]
    [InlineData("directory", "it is a directory")]
    [InlineData("missing", "it does not exist")]
    [InlineData("empty", "it is empty, or not a regular file")]
    [InlineData("/dev/zero", "not a regular file (a FIFO, a socket or a device such as /dev/zero)")]
    [InlineData("/dev/null", "not a regular file")]
    [InlineData("fifo", "not a regular file")]
    [InlineData("2 MiB", "at most 1048576 bytes (1 MiB) are read")]
    public void StackFileThatIsNotASmallRegularFileIsRefusedNamingIt(string kind, string why)
    {
        var path = StackFileOfKind(kind);

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackFile(path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(path, problem.Key);
        Assert.StartsWith("cannot read the stack file: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(why, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BillionLaughsIsRefusedInBoundedTimeAndMemory()
    {
        var yaml = Laughs(10);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(yaml));

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocated, 0, 200L << 20);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Contains("more than 100000 values", Assert.Single(error.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasesWithinTheBudgetExpandAsPulumiReadsThem()
    {
        var yaml = ConfigYaml.With("        objectStore:\n          name: minio-eu\n", "        objectStore: &store\n          name: minio-eu\n")
            .Replace("kubeContext: ctx-eu", "kubeContext: &context ctx-eu", StringComparison.Ordinal)
            + "\n    pki:\n      organization: *context";

        var config = TopologyConfigLoader.FromStackYaml(yaml);

        Assert.Equal("ctx-eu", config.Pki.Organization);
        Assert.Equal("minio-eu", config.Regions[0].ObjectStore!.Name);
    }

    [Fact]
    public void ObjectStoreNameDefaultsToTheClusterStoreName()
    {
        var config = TopologyConfigLoader.FromStackYaml(ConfigYaml.With("          name: minio-us\n", string.Empty));

        Assert.Null(config.Regions[1].ObjectStore!.Name);
        var store = CrossClusterIac.Topology.Manifests.TopologyManifests.For(config, PkiPlan.For(config))
            .Single(r => r.Region == "us").ObjectStores.Select(o => o.Name);
        Assert.Contains("pg-us-store", store);
    }

    [Fact]
    public void AnnotationPrefixIsCheckedLowercasedAsKubernetesDoes()
    {
        var config = TopologyConfigLoader.FromStackYaml(Annotation("Service.Beta.Kubernetes.io/aws-load-balancer-scheme", "internal"));

        Assert.Single(config.Regions[1].Exposure!.LoadBalancer!.Annotations);
    }

    [Fact]
    public void CenturyValidityIsTheLongestAndIssues()
    {
        var config = TopologyConfigLoader.FromStackYaml(ConfigYaml.WithTopology($"pki:\n  validity:\n    rootDays: {ValiditySettings.MaxDays}\n    intermediateDays: {ValiditySettings.MaxDays - 1}\n    leafDays: {ValiditySettings.MaxDays - 2}"));

        var plan = PkiPlan.For(config);
        var root = CertificateIssuer.Issue(plan, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))[plan.Root];

        Assert.Equal(2125, root.Certificate.NotAfter.ToUniversalTime().Year);
    }

    [Theory]
    [InlineData("""{"primaryRegion":"eu","primaryRegion":"us","regions":[]}""", "topology", "primaryRegion")]
    [InlineData("""{"primaryRegion":"eu","regions":[null]}""", "topology.regions[0]", "empty entry")]
    [InlineData("""{"primaryRegion":"eu","regions":[],"postgres":{"instances":99999999999999999999}}""", "topology.postgres.instances", "out of range")]
    [InlineData("""{"primaryRegion":"eu","regions":[],"pki":{"validity":{"rootDays":2147483647}}}""", "topology.pki.validity.rootDays", "100 years")]
    public void HostileJsonIsRefusedLikeYaml(string json, string key, string fix)
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromJson(json));

        Assert.Contains(error.Problems, p => p.Key == key && p.Message.Contains(fix, StringComparison.Ordinal));
    }

    [Fact]
    public void DeepJsonIsRefused()
    {
        var json = """{"regions":""" + new string('[', 40) + new string(']', 40) + "}";

        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromJson(json));

        Assert.Contains("depth", Assert.Single(error.Problems).Message, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal string StackFileOfKind(string kind)
    {
        switch (kind)
        {
            case "directory":
                return Directory.CreateDirectory(Path.Combine(_directory, "Pulumi.dir.yaml")).FullName;
            case "missing":
                return Path.Combine(_directory, "Pulumi.none.yaml");
            case "empty":
                return Write("empty", string.Empty);
            case "fifo":
                var fifo = Path.Combine(_directory, "Pulumi.fifo.yaml");
                using (var mkfifo = Process.Start("mkfifo", [fifo]))
                {
                    mkfifo.WaitForExit();
                    Assert.Equal(0, mkfifo.ExitCode);
                }

                return fifo;
            case "2 MiB":
                return Write("big", ConfigYaml.Valid + "\n# " + new string('x', 2 << 20));
            default:
                return kind;
        }
    }

    private string Write(string name, string yaml, Encoding? encoding = null)
    {
        var path = Path.Combine(_directory, $"Pulumi.{string.Concat(name.Where(char.IsLetterOrDigit))}.yaml");
        File.WriteAllText(path, yaml, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private static string Shorten(string message) => message.Length <= 2000 ? message : message[..2000] + "…";
}

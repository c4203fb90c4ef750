using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Config;

/// <summary>Checks a bound topology and reports every problem at once, each naming its key and the fix.</summary>
public static partial class TopologyValidator
{
    private const int DnsLabelLength = 63;

    private static readonly HashSet<string> ReservedRoles = new(StringComparer.Ordinal)
    {
        "postgres", RoleNames.StreamingReplica, RoleNames.Pooler, RoleNames.Verify,
    };

    /// <summary>Every problem of the config; empty when it is valid.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(TopologyConfig config)
    {
        var problems = new List<ConfigProblem>();
        void Add(string key, string message) => problems.Add(new ConfigProblem($"topology.{key}", message));

        ValidateNamespace(config.Namespace, Add);
        ValidatePostgres(config.Postgres, Add);
        ValidatePki(config.Pki, Add);
        ValidateRegions(config, Add);
        return problems;
    }

    private static void ValidateRegions(TopologyConfig config, Action<string, string> add)
    {
        if (config.Regions.Count == 0)
        {
            add("regions", "no regions are declared; list at least the primary region, e.g. '- name: eu' with its kubeContext, objectStore and exposure.");
        }

        var names = config.Regions.Select(r => r.Name).Where(n => !string.IsNullOrEmpty(n)).ToList();
        if (string.IsNullOrEmpty(config.PrimaryRegion))
        {
            add("primaryRegion", $"missing; set it to the region that runs the primary{(names.Count > 0 ? $", one of: {string.Join(", ", names)}" : string.Empty)}.");
        }
        else if (names.Count > 0 && !names.Contains(config.PrimaryRegion))
        {
            add("primaryRegion", $"'{config.PrimaryRegion}' is not a declared region; use one of: {string.Join(", ", names)}.");
        }

        for (var i = 0; i < config.Regions.Count; i++)
        {
            ValidateRegion(config, i, add);
        }

        foreach (var duplicate in names.GroupBy(n => n).Where(g => g.Count() > 1))
        {
            var second = IndexOfNth(config.Regions, r => r.Name == duplicate.Key, 2);
            add($"regions[{second}].name", $"region '{duplicate.Key}' is declared {duplicate.Count()} times; give every region its own name.");
        }

        var contexts = config.Regions.Select((r, i) => (r.KubeContext, i)).Where(c => !string.IsNullOrEmpty(c.KubeContext));
        foreach (var shared in contexts.GroupBy(c => c.KubeContext).Where(g => g.Count() > 1))
        {
            add($"regions[{shared.ElementAt(1).i}].kubeContext",
                $"kube context '{shared.Key}' is used by {shared.Count()} regions; each region is its own cluster, give each its own context.");
        }

        var endpoints = config.Regions
            .Select((r, i) => (Region: r, Index: i))
            .Where(r => r.Region.Exposure is { Address.Length: > 0, DiscoversAddress: false })
            .SelectMany(r => new (string Key, int Index, string Field)[]
            {
                ($"{r.Region.Exposure!.Address}:{r.Region.Exposure.RwPortOrDefault}", r.Index, "rwPort"),
                ($"{r.Region.Exposure.Address}:{r.Region.Exposure.PoolerPortOrDefault}", r.Index, "poolerPort"),
            });
        foreach (var clash in endpoints.GroupBy(e => e.Key).Where(g => g.Select(e => e.Index).Distinct().Count() > 1))
        {
            var second = clash.ElementAt(1);
            add($"regions[{second.Index}].exposure.{second.Field}", $"{clash.Key} is already used by another region; two regions cannot share an address and port.");
        }
    }

    private static void ValidateRegion(TopologyConfig config, int index, Action<string, string> add)
    {
        var region = config.Regions[index];
        var at = $"regions[{index}]";
        var label = string.IsNullOrEmpty(region.Name) ? at : $"region '{region.Name}'";
        var longest = new ClusterNames(region.Name ?? string.Empty, config.Namespace.Name).PoolerExposure;
        if (string.IsNullOrEmpty(region.Name))
        {
            add($"{at}.name", "missing; name the region with a short lowercase DNS label such as 'eu'.");
        }
        else if (!IsDnsLabel(region.Name))
        {
            add($"{at}.name", $"'{region.Name}' is not a DNS label; use lowercase letters, digits and '-', starting with a letter, such as 'eu' or 'us-east'.");
        }
        else if (longest.Length > DnsLabelLength)
        {
            add($"{at}.name", $"'{region.Name}' is too long: the service '{longest}' would exceed {DnsLabelLength} characters; shorten it to at most {DnsLabelLength - longest.Length + region.Name.Length} characters.");
        }

        if (string.IsNullOrWhiteSpace(region.KubeContext))
        {
            add($"{at}.kubeContext", $"missing for {label}; set the kubeconfig context of the region's cluster (see 'kubectl config get-contexts').");
        }

        ValidateObjectStore(region.ObjectStore, $"{at}.objectStore", label, add);
        ValidateExposure(region.Exposure, $"{at}.exposure", label, add);
    }

    private static void ValidateObjectStore(ObjectStoreConfig? store, string at, string label, Action<string, string> add)
    {
        if (store is null)
        {
            add(at, $"missing for {label}; replicas bootstrap from the primary's backups, so every region needs an object store (name, endpointUrl, destinationPath, credentials).");
            return;
        }

        if (string.IsNullOrEmpty(store.Name) || !IsDnsSubdomain(store.Name))
        {
            add($"{at}.name", $"'{store.Name}' is not a valid ObjectStore name; use a lowercase DNS name such as 'minio-eu'.");
        }

        if (!Uri.TryCreate(store.EndpointUrl, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            add($"{at}.endpointUrl", $"'{store.EndpointUrl}' is not an absolute http(s) URL; use e.g. 'http://minio-eu:9000'.");
        }

        if (string.IsNullOrEmpty(store.DestinationPath) || !DestinationScheme().IsMatch(store.DestinationPath))
        {
            add($"{at}.destinationPath", $"'{store.DestinationPath}' has no object-store scheme; use e.g. 's3://backups/' (s3://, gs:// or https:// for Azure).");
        }

        if (store.Credentials is null || string.IsNullOrEmpty(store.Credentials.SecretName))
        {
            add($"{at}.credentials.secretName", $"missing for {label}; name the existing Secret that holds the object store's access keys.");
        }
        else
        {
            if (string.IsNullOrEmpty(store.Credentials.AccessKeyIdKey))
            {
                add($"{at}.credentials.accessKeyIdKey", "empty; name the key of the access key id inside the Secret, e.g. 'ACCESS_KEY_ID'.");
            }

            if (string.IsNullOrEmpty(store.Credentials.SecretAccessKeyKey))
            {
                add($"{at}.credentials.secretAccessKeyKey", "empty; name the key of the secret access key inside the Secret, e.g. 'ACCESS_SECRET_KEY'.");
            }
        }
    }

    private static void ValidateNamespace(NamespaceConfig ns, Action<string, string> add)
    {
        if (!IsDnsLabel(ns.Name))
        {
            add("namespace.name", $"'{ns.Name}' is not a Kubernetes namespace name; use a lowercase DNS label such as 'default' or 'databases'.");
        }
        else if (ns.Create is true && NamespaceConfig.Preexisting.Contains(ns.Name))
        {
            add("namespace.create", $"'{ns.Name}' exists in every cluster and is Kubernetes' own; remove 'create' (the program never declares it) or choose another namespace.");
        }
    }

    private static void ValidateExposure(ExposureConfig? exposure, string at, string label, Action<string, string> add)
    {
        if (exposure is null)
        {
            add(at, $"missing for {label}; other regions reach it through a node or load-balancer address: set type (NodePort with an address, or LoadBalancer).");
            return;
        }

        if (exposure.Type == ExposureType.NodePort)
        {
            ValidateNodePort(exposure, at, label, add);
        }
        else
        {
            ValidateLoadBalancer(exposure, at, label, add);
        }

        foreach (var (port, field) in new[] { (exposure.RwPortOrDefault, "rwPort"), (exposure.PoolerPortOrDefault, "poolerPort") })
        {
            if (port is < 1 or > 65535)
            {
                add($"{at}.{field}", $"{port} is not a TCP port; use a number between 1 and 65535.");
            }
            else if (exposure.Type == ExposureType.NodePort && port is < 30000 or > 32767)
            {
                add($"{at}.{field}", $"{port} is outside the Kubernetes NodePort range; use a port between 30000 and 32767, or type LoadBalancer.");
            }
            else if (exposure.LoadBalancer?.Ingress == IngressKind.Hostname && port != ExposureConfig.PostgresPort)
            {
                add($"{at}.{field}", $"{port} cannot be reached through a load balancer's hostname: other regions get an ExternalName Service, which cannot remap ports (Kubernetes passes the name through DNS only); use {ExposureConfig.PostgresPort} or remove the key.");
            }
        }
    }

    private static void ValidateNodePort(ExposureConfig exposure, string at, string label, Action<string, string> add)
    {
        if (string.IsNullOrEmpty(exposure.Address))
        {
            add($"{at}.address", $"missing for {label}; set the node address other regions connect to (an IPv4 or IPv6 address), or '{ExposureConfig.DiscoveredAddress}' to read the first node's InternalIP at deploy time.");
        }
        else if (!exposure.DiscoversAddress && !ExposureAddress.TryParse(exposure.Address, out _, out var why))
        {
            add($"{at}.address", $"'{exposure.Address}' {why}; a NodePort region needs a node's IPv4 or IPv6 address, or '{ExposureConfig.DiscoveredAddress}'.");
        }
        else if (!exposure.DiscoversAddress && ExposureAddress.Parse(exposure.Address).Kind == AddressKind.Hostname)
        {
            add($"{at}.address", $"'{exposure.Address}' is a DNS name: kube-proxy routes only IP EndpointSlices, and a name (an ExternalName Service) cannot carry the node port; use the node's IP address or '{ExposureConfig.DiscoveredAddress}'.");
        }

        if (exposure.LoadBalancer is not null)
        {
            add($"{at}.loadBalancer", $"set for {label}, whose type is NodePort; remove it, or set type: LoadBalancer.");
        }

        if (exposure.RwPortOrDefault == exposure.PoolerPortOrDefault)
        {
            add($"{at}.poolerPort", $"{exposure.PoolerPortOrDefault} is also the rwPort; on one node address the pooler and the read-write service need different ports.");
        }
    }

    private static void ValidateLoadBalancer(ExposureConfig exposure, string at, string label, Action<string, string> add)
    {
        if (exposure.Address is not null)
        {
            add($"{at}.address", $"set for {label}, a LoadBalancer: the cloud gives each of its two Services an address of its own, which the program reads from their status; remove it (render takes --address or --resolve).");
        }

        var balancer = exposure.LoadBalancer;
        if (balancer is null || (balancer.Annotations.Count == 0 && balancer.SourceRanges.Count == 0 && !balancer.Public))
        {
            add($"{at}.loadBalancer", $"{label} has a LoadBalancer that says nothing of who may connect, and most clouds make such a one internet-facing; set loadBalancer.annotations (e.g. 'service.beta.kubernetes.io/aws-load-balancer-scheme: internal') or loadBalancer.sourceRanges (e.g. ['10.0.0.0/8']), or 'public: true' to mean it.");
            return;
        }

        for (var i = 0; i < balancer.SourceRanges.Count; i++)
        {
            if (!IPNetwork.TryParse(balancer.SourceRanges[i], out var network) || network.ToString() != balancer.SourceRanges[i])
            {
                add($"{at}.loadBalancer.sourceRanges[{i}]", $"'{balancer.SourceRanges[i]}' is not a CIDR with its host bits zero; use e.g. '10.0.0.0/8' or '2001:db8::/32'.");
            }
        }

        foreach (var key in balancer.Annotations.Keys.Where(k => !AnnotationKey().IsMatch(k)))
        {
            add($"{at}.loadBalancer.annotations.{key}", "is not a Kubernetes annotation key; use an optional DNS prefix and a name, e.g. 'service.beta.kubernetes.io/aws-load-balancer-scheme'.");
        }
    }

    private static void ValidatePostgres(PostgresSettings postgres, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(postgres.Image))
        {
            add("postgres.image", "empty; set the PostgreSQL operand image, e.g. 'ghcr.io/cloudnative-pg/postgresql:15'.");
        }

        if (postgres.Instances < 1)
        {
            add("postgres.instances", $"{postgres.Instances} instances cannot run a cluster; use 1 or more (3 for high availability).");
        }

        if (postgres.PoolerInstances < 1)
        {
            add("postgres.poolerInstances", $"{postgres.PoolerInstances} pooler instances serve no one; use 1 or more.");
        }

        if (!Quantity().IsMatch(postgres.StorageSize))
        {
            add("postgres.storageSize", $"'{postgres.StorageSize}' is not a Kubernetes quantity; use e.g. '1Gi' or '500Mi'.");
        }

        if (postgres.WalStorageSize is { } wal && !Quantity().IsMatch(wal))
        {
            add("postgres.walStorageSize", $"'{wal}' is not a Kubernetes quantity; use e.g. '1Gi', or remove the key to keep WAL on the data volume.");
        }

        foreach (var (value, key) in new[] { (postgres.Database, "database"), (postgres.Owner, "owner") })
        {
            if (!Identifier().IsMatch(value))
            {
                add($"postgres.{key}", $"'{value}' is not a plain PostgreSQL identifier; use lowercase letters, digits and '_', starting with a letter, such as 'app'.");
            }
        }

        if (ReservedRoles.Contains(postgres.Owner))
        {
            add("postgres.owner", $"'{postgres.Owner}' is a role the topology manages itself; choose another application role, such as 'app'.");
        }

        if (postgres.BackupSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            add("postgres.backupSchedule", $"'{postgres.BackupSchedule}' is not a 6-field cron schedule (CNPG counts seconds first); use e.g. '0 0 0 * * *' for daily at midnight.");
        }
    }

    private static void ValidatePki(PkiSettings pki, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(pki.Organization))
        {
            add("pki.organization", "empty; set the organisation written into every certificate subject, e.g. 'Example Corp'.");
        }

        var validity = pki.Validity;
        foreach (var (days, key) in new[] { (validity.RootDays, "rootDays"), (validity.IntermediateDays, "intermediateDays"), (validity.LeafDays, "leafDays") })
        {
            if (days < 1)
            {
                add($"pki.validity.{key}", $"{days} days is no validity; use a positive number of days.");
            }
        }

        if (validity.IntermediateDays >= validity.RootDays)
        {
            add("pki.validity.intermediateDays", $"{validity.IntermediateDays} days outlives its issuer, the root ({validity.RootDays} days); make it shorter than rootDays.");
        }

        if (validity.LeafDays >= validity.IntermediateDays)
        {
            add("pki.validity.leafDays", $"{validity.LeafDays} days outlives its issuer, the intermediate ({validity.IntermediateDays} days); make it shorter than intermediateDays.");
        }
    }

    private static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= DnsLabelLength } && DnsLabel().IsMatch(value);

    private static bool IsDnsSubdomain(string value) =>
        value.Length <= 253 && value.Split('.').All(IsDnsLabelLoose);

    private static bool IsDnsLabelLoose(string label) => label.Length is > 0 and <= DnsLabelLength && DnsLabelLoose().IsMatch(label);

    private static int IndexOfNth(IReadOnlyList<RegionConfig> regions, Func<RegionConfig, bool> match, int nth) =>
        regions.Select((r, i) => (r, i)).Where(x => match(x.r)).Skip(nth - 1).First().i;

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelLoose();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex AnnotationKey();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")]
    private static partial Regex Quantity();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^(s3|gs|https?)://[^/]+")]
    private static partial Regex DestinationScheme();
}

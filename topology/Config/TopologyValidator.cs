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
        ValidateMonitoring(config.Monitoring, config.Replication, Add);
        ValidateReplication(config.Replication, Add);
        ValidateRegions(config, Add);
        ValidateSwitchover(config, Add);
        return problems;
    }

    private static void ValidateSwitchover(TopologyConfig config, Action<string, string> add)
    {
        if (config.Switchover is not { } switchover)
        {
            return;
        }

        var names = config.Regions.Select(r => r.Name).Where(n => !string.IsNullOrEmpty(n)).ToList();
        if (string.IsNullOrEmpty(switchover.To))
        {
            add("switchover.to", $"missing; name the region that becomes primary{(names.Count > 1 ? $", one of: {string.Join(", ", names.Where(n => n != config.PrimaryRegion))}" : string.Empty)}, or remove 'switchover'.");
        }
        else if (!names.Contains(switchover.To))
        {
            add("switchover.to", $"'{switchover.To}' is not a declared region; use one of: {string.Join(", ", names.Where(n => n != config.PrimaryRegion))}.");
        }
        else if (switchover.To == config.PrimaryRegion)
        {
            add("switchover.to", $"'{switchover.To}' is already the primary region; a switchover names another region, or remove 'switchover' (after a completed switchover, primaryRegion is the new primary and 'switchover' goes).");
        }

        if (switchover.PromotionToken is { } token)
        {
            try
            {
                _ = Cnpg.PromotionToken.Parse(token);
            }
            catch (Cnpg.CnpgRealisationException e)
            {
                // As CNPG's webhook words it (validatePromotionToken): the token is checked before any Cluster changes.
                add("switchover.promotionToken", $"{e.Message}; give the old primary's .status.demotionToken unchanged (kubectl get cluster <old primary> -o jsonpath='{{.status.demotionToken}}').");
            }
        }
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

        foreach (var (value, indices) in Duplicates(config.Regions.Select(r => r.Name)))
        {
            add($"regions[{indices[1]}].name", $"region '{value}' is declared {indices.Count} times ({Listed(indices, "name")}); give every region its own name.");
        }

        foreach (var (value, indices) in Duplicates(config.Regions.Select(r => r.KubeContext)))
        {
            add($"regions[{indices[1]}].kubeContext",
                $"kube context '{value}' is used by {indices.Count} regions ({Listed(indices, "kubeContext")}); each region is its own cluster, give each its own context.");
        }

        // A cluster declares its own ObjectStore and its peer's (TopologyManifests), in one namespace: two with one name would be one object.
        var stores = config.Regions.Select(r => r.ObjectStore is { } store && !string.IsNullOrEmpty(r.Name) ? store.Name ?? new ClusterNames(r.Name, config.Namespace.Name).ObjectStore : null);
        foreach (var (value, indices) in Duplicates(stores))
        {
            add($"regions[{indices[1]}].objectStore.name",
                $"ObjectStore '{value}' is the name of {indices.Count} regions' object stores ({Listed(indices, "objectStore.name")}); a cluster holds its own and its peer's in one namespace, so give each region's its own name (or remove the key: the default is pg-<region>-store).");
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
        else if (HasControl(region.KubeContext) || region.KubeContext.Trim() != region.KubeContext || region.KubeContext.StartsWith('-'))
        {
            // kubeconfig allows any name, but render passes it as `kubectl --context NAME` and prints it in a comment.
            add($"{at}.kubeContext", $"'{region.KubeContext.ReplaceLineEndings(" ")}' has control characters, surrounding spaces or a leading '-', which kubectl would misread; use the context's name exactly as 'kubectl config get-contexts' lists it.");
        }

        ValidateObjectStore(region.ObjectStore, $"{at}.objectStore", label, add);
        ValidateExposure(region.Exposure, $"{at}.exposure", label, add);
        ValidateApplyDelay(config, region, $"{at}.replication.minApplyDelay", label, add);
    }

    private static void ValidateApplyDelay(TopologyConfig config, RegionConfig region, string at, string label, Action<string, string> add)
    {
        if (region.Replication?.MinApplyDelay is not { } text)
        {
            return;
        }

        if (ApplyDelay.Problem(text) is { } problem)
        {
            add(at, $"{label}: {problem}.");
        }
        else if (region.Name == config.PrimaryRegion)
        {
            add(at, $"{label} is the primary, which replays nothing; put the delay on a replica region.");
        }
        else if (region.Name == config.Switchover?.To)
        {
            // internal/webhook/v1/cluster_webhook.go: a replica with minApplyDelay cannot take a promotionToken, and a
            // switchover's target takes one in its second phase.
            add(at, $"{label} is the target of the switchover, and CNPG refuses minApplyDelay together with a promotion token; remove the delay from {label} before switching over to it (a delayed replica is a copy to recover from, not one to promote).");
        }
    }

    private static void ValidateObjectStore(ObjectStoreConfig? store, string at, string label, Action<string, string> add)
    {
        if (store is null)
        {
            add(at, $"missing for {label}; replicas bootstrap from the primary's backups, so every region needs an object store (name, endpointUrl, destinationPath, credentials).");
            return;
        }

        // Unset, the name defaults to pg-<region>-store (ClusterNames.ObjectStore); set, it must be a name Kubernetes
        // takes for a custom resource: an RFC 1123 subdomain (apimachinery pkg/util/validation IsDNS1123Subdomain).
        if (store.Name is not null && !IsDnsSubdomain(store.Name))
        {
            add($"{at}.name", $"'{store.Name}' is not a valid ObjectStore name; use a lowercase DNS name of at most 253 characters such as 'minio-eu', or remove the key for the default pg-<region>-store.");
        }

        if (!Uri.TryCreate(store.EndpointUrl, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
            || endpoint.Host.Length == 0 || HasControl(store.EndpointUrl) || store.EndpointUrl.Any(char.IsWhiteSpace))
        {
            add($"{at}.endpointUrl", $"'{store.EndpointUrl}' is not an absolute http(s) URL with a host; use e.g. 'http://minio-eu:9000'.");
        }
        else if (endpoint.UserInfo.Length > 0)
        {
            // The URL is written into the ObjectStore, readable by anyone who may read the resource.
            add($"{at}.endpointUrl", "has credentials in it (user:password@), which would be written into the ObjectStore for anyone to read; remove them and put the keys in the credentials Secret.");
        }

        if (string.IsNullOrEmpty(store.DestinationPath) || !DestinationScheme().IsMatch(store.DestinationPath) || HasControl(store.DestinationPath) || store.DestinationPath.Any(char.IsWhiteSpace))
        {
            add($"{at}.destinationPath", $"'{store.DestinationPath}' is not an object-store URL; use e.g. 's3://backups/' (s3://, gs:// or https:// for Azure), without spaces.");
        }

        ValidateBackupSettings(store, at, add);
        if (store.Credentials is { InheritFromIamRole: true } iam)
        {
            if (iam.SecretName is not null)
            {
                add($"{at}.credentials.secretName", "set with inheritFromIamRole: true, which takes the credentials from the pods' IAM role; remove one of them.");
            }

            if (iam.IamRoleArn is { } arn && !IamRoleArn().IsMatch(arn))
            {
                add($"{at}.credentials.iamRoleArn", $"'{arn}' is not an IAM role ARN; use e.g. 'arn:aws:iam::123456789012:role/pg-backups', or remove the key for EKS Pod Identity.");
            }
        }
        else if (store.Credentials?.IamRoleArn is not null)
        {
            add($"{at}.credentials.iamRoleArn", "set without inheritFromIamRole: true, so the instances would not use it; add inheritFromIamRole: true, or remove the key.");
        }
        else if (store.Credentials is null || string.IsNullOrEmpty(store.Credentials.SecretName))
        {
            add($"{at}.credentials.secretName", $"missing for {label}; name the existing Secret that holds the object store's access keys, or set credentials.inheritFromIamRole: true to use the pods' IAM role.");
        }
        else
        {
            // A Secret's name is an RFC 1123 subdomain (ValidateSecretName is NameIsDNSSubdomain in pkg/apis/core/validation).
            if (!IsDnsSubdomain(store.Credentials.SecretName))
            {
                add($"{at}.credentials.secretName", $"'{store.Credentials.SecretName}' is not a Secret name; use a lowercase DNS name of at most 253 characters, such as 'minio-eu'.");
            }

            foreach (var (key, field, example) in new[] { (store.Credentials.AccessKeyIdKey, "accessKeyIdKey", "ACCESS_KEY_ID"), (store.Credentials.SecretAccessKeyKey, "secretAccessKeyKey", "ACCESS_SECRET_KEY") })
            {
                // A key inside a Secret: apimachinery pkg/util/validation IsConfigMapKey ([-._a-zA-Z0-9]+, at most 253, not '.', '..' or '..*').
                if (string.IsNullOrEmpty(key))
                {
                    add($"{at}.credentials.{field}", $"empty; name the key inside the Secret, e.g. '{example}'.");
                }
                else if (key.Length > 253 || !SecretKey().IsMatch(key) || key.StartsWith("..", StringComparison.Ordinal) || key == ".")
                {
                    add($"{at}.credentials.{field}", $"'{key}' is not a key a Secret can hold; use letters, digits, '-', '_' and '.', such as '{example}'.");
                }
            }
        }
    }

    // The values barman-cloud's ObjectStore CRD takes (../shared/crds/barmancloud.cnpg.io_objectstores.yaml: the
    // retentionPolicy pattern, the data.compression and encryption enums); wal.maxParallel is an integer the plugin
    // runs that many archive or restore processes for.
    private static void ValidateBackupSettings(ObjectStoreConfig store, string at, Action<string, string> add)
    {
        if (!RetentionPolicy().IsMatch(store.RetentionPolicy))
        {
            add($"{at}.retentionPolicy", $"'{store.RetentionPolicy}' is not a retention period; use a whole number of days, weeks or months, e.g. '30d', '4w' or '6m'.");
        }

        if (!BackupCompressions.Contains(store.BackupCompression, StringComparer.Ordinal))
        {
            add($"{at}.backupCompression", $"'{store.BackupCompression}' is not one barman-cloud offers for base backups; use one of: {string.Join(", ", BackupCompressions)}.");
        }

        if (store.WalMaxParallel is < 1 or > MaxWalParallel)
        {
            add($"{at}.walMaxParallel", $"{store.WalMaxParallel} WAL files at once cannot be meant; use 1 to {MaxWalParallel} (4 is the default).");
        }

        if (store.Encryption is { } encryption && !Encryptions.Contains(encryption, StringComparer.Ordinal))
        {
            add($"{at}.encryption", $"'{encryption}' is not a server-side encryption barman-cloud requests; use AES256 or aws:kms, or remove the key for the bucket's default.");
        }
    }

    // Requests and limits as a pod takes them: cpu and memory quantities (apimachinery resource.Quantity; cpu in cores or
    // millicores), each request at most its limit (kubernetes pkg/apis/core/validation ValidateResourceRequirements:
    // "must be less than or equal to … limit").
    private static void ValidateResources(ResourceSettings resources, string at, Action<string, string> add)
    {
        var parsed = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (kind, values) in new[] { ("requests", resources.Requests), ("limits", resources.Limits) })
        {
            foreach (var (name, value) in values)
            {
                if (name is not ("cpu" or "memory"))
                {
                    add($"{at}.{kind}.{name}", "is not a resource this takes; give cpu and memory, e.g. cpu: 500m, memory: 1Gi.");
                }
                else if (ResourceQuantity(value) is not { } amount)
                {
                    add($"{at}.{kind}.{name}", $"'{value}' is not a quantity of more than zero; use e.g. {(name == "cpu" ? "'500m' or '2'" : "'512Mi' or '2Gi'")}.");
                }
                else
                {
                    parsed[$"{kind}.{name}"] = amount;
                }
            }
        }

        foreach (var name in new[] { "cpu", "memory" })
        {
            if (parsed.TryGetValue($"requests.{name}", out var request) && parsed.TryGetValue($"limits.{name}", out var limit) && request > limit)
            {
                add($"{at}.requests.{name}", $"'{resources.Requests[name]}' is more than its limit '{resources.Limits[name]}', which Kubernetes refuses; request at most the limit.");
            }
        }
    }

    // A storage-style quantity, or millicores (500m) as cpu is written.
    private static decimal? ResourceQuantity(string value) =>
        value.EndsWith('m') && decimal.TryParse(value[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var millis)
            ? millis > 0 ? millis / 1000 : null
            : QuantityValue(value);

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
            // kube-apiserver's default --service-node-port-range (DefaultServiceNodePortRange, pkg/kubeapiserver/options) is 30000-32767.
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

    // A node address other regions' twins carry in an EndpointSlice, read once.
    private static void ValidateNodeAddress(string text, string at, Action<string, string> add)
    {
        if (!ExposureAddress.TryParse(text, out var address, out var why))
        {
            add($"{at}.address", $"'{text}' {why}; a NodePort region needs a node's IPv4 or IPv6 address, or '{ExposureConfig.DiscoveredAddress}'.");
        }
        else if (address.Kind == AddressKind.Hostname)
        {
            add($"{at}.address", $"'{text}' is a DNS name: kube-proxy routes only IP EndpointSlices, and a name (an ExternalName Service) cannot carry the node port; use the node's IP address or '{ExposureConfig.DiscoveredAddress}'.");
        }
        else if (address.NotRoutable is { } special)
        {
            add($"{at}.address", $"'{text}' {special}, which Kubernetes refuses in the other regions' EndpointSlices and which no other cluster reaches; use the node's InternalIP or '{ExposureConfig.DiscoveredAddress}'.");
        }
    }

    private static void ValidateNodePort(ExposureConfig exposure, string at, string label, Action<string, string> add)
    {
        if (string.IsNullOrEmpty(exposure.Address))
        {
            add($"{at}.address", $"missing for {label}; set the node address other regions connect to (an IPv4 or IPv6 address), or '{ExposureConfig.DiscoveredAddress}' to read the first node's InternalIP at deploy time.");
        }
        else if (!exposure.DiscoversAddress)
        {
            ValidateNodeAddress(exposure.Address, at, add);
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

        foreach (var key in balancer.Annotations.Keys.Where(k => !IsAnnotationKey(k)))
        {
            add($"{at}.loadBalancer.annotations.{key}", "is not a Kubernetes annotation key; use an optional DNS prefix (at most 253 characters) and a name (at most 63), e.g. 'service.beta.kubernetes.io/aws-load-balancer-scheme'.");
        }

        // apimachinery pkg/api/validation/objectmeta.go ValidateAnnotations: keys and values together at most TotalAnnotationSizeLimitB (256 KiB).
        var size = balancer.Annotations.Sum(a => (long)System.Text.Encoding.UTF8.GetByteCount(a.Key) + System.Text.Encoding.UTF8.GetByteCount(a.Value));
        if (size > 256 * 1024)
        {
            add($"{at}.loadBalancer.annotations", $"{size} bytes of annotations; Kubernetes takes at most 262144 bytes of keys and values per object. Remove some.");
        }
    }

    private static void ValidatePostgres(PostgresSettings postgres, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(postgres.Image))
        {
            add("postgres.image", $"empty; set the PostgreSQL operand image, e.g. '{OperandImage.Default}'.");
        }
        else if (postgres.Image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            add("postgres.image", $"'{postgres.Image.ReplaceLineEndings(" ")}' has spaces or control characters, which no image reference has; use e.g. '{OperandImage.Default}'.");
        }
        else if (!OperandImage.NamesItsRelease(postgres.Image))
        {
            add("postgres.image", $"'{postgres.Image}' names neither its OS release nor a digest, so the OS under the replicas can change with the tag, and replicas whose glibc sorts text differently from the primary's corrupt text indexes; name the release, e.g. '{OperandImage.Default}', or pin a digest ('…@sha256:<64 hex digits>'). On running clusters, name the OS release they run now (the digest in `kubectl get pods -o jsonpath='{{..imageID}}'`): another one restarts every instance on a new glibc.");
        }

        ValidateResources(postgres.Resources, "postgres.resources", add);
        ValidateResources(postgres.PoolerResources, "postgres.poolerResources", add);
        if (postgres.StorageClass is { } storageClass && !IsDnsSubdomain(storageClass))
        {
            add("postgres.storageClass", $"'{storageClass}' is not a StorageClass name; use a lowercase DNS name such as 'gp3', or remove the key for the cluster's default class.");
        }

        foreach (var (name, value) in postgres.Parameters)
        {
            var at = $"postgres.parameters.{name}";
            if (!ParameterName().IsMatch(name))
            {
                add(at, "is not a PostgreSQL parameter name; use lowercase letters, digits, '_' and '.', starting with a letter, e.g. 'max_connections'.");
            }
            else if (WanParameters.Refusal(name) is { } refusal)
            {
                add(at, $"cannot be set here: {refusal}.");
            }
            else if (string.IsNullOrEmpty(value) || value.Any(char.IsControl))
            {
                add(at, $"'{value.ReplaceLineEndings(" ")}' is empty or has control characters; give the value as PostgreSQL takes it, e.g. '200' or '30s'.");
            }
        }

        // The CRDs set no maximum (int32); more than this is a typo, not a database.
        if (postgres.Instances is < 1 or > MaxInstances)
        {
            add("postgres.instances", postgres.Instances < 1
                ? $"{postgres.Instances} instances cannot run a cluster; use 1 or more (3 for high availability)."
                : $"{postgres.Instances} instances cannot be meant; use at most {MaxInstances} (3 for high availability).");
        }

        if (postgres.PoolerInstances is < 1 or > MaxInstances)
        {
            add("postgres.poolerInstances", postgres.PoolerInstances < 1
                ? $"{postgres.PoolerInstances} pooler instances serve no one; use 1 or more."
                : $"{postgres.PoolerInstances} pooler instances cannot be meant; use at most {MaxInstances}.");
        }

        if (!IsStorageSize(postgres.StorageSize))
        {
            add("postgres.storageSize", $"'{postgres.StorageSize}' is not a Kubernetes quantity of more than zero and at most 8Ei bytes; use e.g. '1Gi' or '500Mi'.");
        }

        if (postgres.WalStorageSize is { } wal && !IsStorageSize(wal))
        {
            add("postgres.walStorageSize", $"'{wal}' is not a Kubernetes quantity of more than zero and at most 8Ei bytes; use e.g. '1Gi', or remove the key to keep WAL on the data volume.");
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
        else if (pki.Organization.Length > MaxOrganizationLength || HasControl(pki.Organization))
        {
            // RFC 5280 appendix A: ub-organization-name is 64; OpenSSL refuses a longer O= when it builds a name.
            add("pki.organization", $"'{(pki.Organization.Length > 80 ? pki.Organization[..77] + "..." : pki.Organization)}' is {pki.Organization.Length} characters or has control characters; X.509 allows an organisation of at most {MaxOrganizationLength} (RFC 5280 ub-organization-name). Shorten it.");
        }

        var validity = pki.Validity;
        foreach (var (days, key) in new[] { (validity.RootDays, "rootDays"), (validity.IntermediateDays, "intermediateDays"), (validity.LeafDays, "leafDays") })
        {
            if (days < 1)
            {
                add($"pki.validity.{key}", $"{days} days is no validity; use a positive number of days.");
            }
            else if (days > ValiditySettings.MaxDays)
            {
                add($"pki.validity.{key}", $"{days} days is more than {ValiditySettings.MaxDays} (100 years), the longest validity issued; use at most {ValiditySettings.MaxDays} (the default root is 3650).");
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

        var renewal = pki.RenewBeforeDays;
        foreach (var (window, validFor, key) in new[]
        {
            (renewal.RootDays, validity.RootDays, "rootDays"),
            (renewal.IntermediateDays, validity.IntermediateDays, "intermediateDays"),
            (renewal.LeafDays, validity.LeafDays, "leafDays"),
        })
        {
            // Pulumi.Tls replaces a certificate on every update once it is inside its early-renewal window, so a
            // window as long as the validity would re-issue it on every `pulumi up`.
            if (window is < 1)
            {
                add($"pki.renewBeforeDays.{key}", $"{window} days is no renewal window; use a positive number of days, or leave it out for a third of the validity.");
            }
            else if (window >= validFor)
            {
                add($"pki.renewBeforeDays.{key}", $"{window} days is not shorter than the validity ({validFor} days, pki.validity.{key}), so every update would re-issue the certificate; use fewer days than pki.validity.{key}.");
            }
        }

        if (pki.RootGeneration is < 1 or > MaxRootGeneration)
        {
            add("pki.rootGeneration", $"{pki.RootGeneration} is not a root generation; use 1 for a new stack and add one when a root rotation completes (at most {MaxRootGeneration}).");
        }
    }

    private const int MaxRootGeneration = 1000;

    private static void ValidateReplication(ReplicationSettings replication, Action<string, string> add)
    {
        if (replication.ArchiveTimeout is { } timeout && ArchiveTimeout.Problem(timeout) is { } problem)
        {
            add("replication.archiveTimeout", $"{problem}.");
        }
    }

    private static void ValidateMonitoring(MonitoringSettings monitoring, ReplicationSettings replication, Action<string, string> add)
    {
        if (monitoring.ReplicationLagSeconds is < 1 or > 86_400)
        {
            add("monitoring.replicationLagSeconds", $"{monitoring.ReplicationLagSeconds} is not a lag threshold; use 1 to 86400 seconds (CNPG's sample rule uses 300).");
        }

        // A healthy archive-only replica trails a primary that commits steadily by up to the archive timeout (a segment
        // holding the commit stays open that long), so a threshold at or below it fires on healthy replicas.
        if (monitoring.ArchiveReplicaLagSeconds is { } archiveLag)
        {
            var timeout = ApplyDelay.WholeSeconds(replication.ArchiveTimeout) ?? ArchiveTimeout.CnpgDefaultSeconds;
            if (replication.Mode != ReplicationMode.Archive)
            {
                add("monitoring.archiveReplicaLagSeconds", "applies to replication.mode archive only (streaming replicas are watched by replicationLagSeconds); remove it or set replication.mode: archive.");
            }
            else if (archiveLag <= timeout || archiveLag > 86_400)
            {
                add("monitoring.archiveReplicaLagSeconds", $"{archiveLag} is not a lag threshold for archive-only replicas; use more than the archive timeout ({timeout} s) and at most 86400 seconds.");
            }
        }

        foreach (var (key, value) in monitoring.Labels)
        {
            // Kubernetes label syntax (apimachinery validation IsQualifiedName, IsValidLabelValue).
            if (!LabelKey().IsMatch(key) || key.Length > 317)
            {
                add($"monitoring.labels.{key}", "is not a Kubernetes label key; use e.g. 'release' or 'example.com/team'.");
            }
            else if (value.Length > 63 || !LabelValue().IsMatch(value))
            {
                add($"monitoring.labels.{key}", $"'{value}' is not a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit.");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex LabelKey();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial System.Text.RegularExpressions.Regex LabelValue();

    private const int MaxInstances = 100;

    private const int MaxOrganizationLength = 64;

    private static readonly Dictionary<string, decimal> QuantitySuffixes = new(StringComparer.Ordinal)
    {
        [string.Empty] = 1, ["k"] = 1e3m, ["M"] = 1e6m, ["G"] = 1e9m, ["T"] = 1e12m, ["P"] = 1e15m, ["E"] = 1e18m,
        ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["Ti"] = 1L << 40, ["Pi"] = 1L << 50, ["Ei"] = 1L << 60,
    };

    // A storage request Kubernetes accepts: a quantity (the project's subset of resource.Quantity's syntax) of more
    // than zero (ValidatePersistentVolumeClaimSpec requires a positive storage request) and at most 8Ei, what an
    // int64 of bytes holds (resource.Quantity.Value() saturates beyond it).
    private static bool IsStorageSize(string value) => QuantityValue(value) is not null;

    // The value of a quantity of more than zero and at most 8Ei (an int64 of units), or null; compared before it is
    // multiplied, so that no spelling overflows.
    private static decimal? QuantityValue(string value)
    {
        var match = Quantity().Match(value);
        if (!match.Success || !decimal.TryParse(match.Groups["number"].Value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var multiplier = QuantitySuffixes[match.Groups["suffix"].Value];
        return number > 0 && number <= long.MaxValue / multiplier ? number * multiplier : null;
    }

    private static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= DnsLabelLength } && DnsLabel().IsMatch(value);

    // Annotation keys are qualified names checked lowercased (apimachinery pkg/api/validation/objectmeta.go
    // ValidateAnnotations calls IsQualifiedName(strings.ToLower(k))): an optional RFC 1123 subdomain prefix and '/', then a name.
    private static bool IsAnnotationKey(string key)
    {
        var lowered = key.ToLowerInvariant();
        var slash = lowered.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? QualifiedNamePart().IsMatch(lowered)
            : IsDnsSubdomain(lowered[..slash]) && QualifiedNamePart().IsMatch(lowered[(slash + 1)..]);
    }

    private static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= 253 && value.Split('.').All(IsDnsLabelLoose);

    private static bool IsDnsLabelLoose(string label) => label.Length is > 0 and <= DnsLabelLength && DnsLabelLoose().IsMatch(label);

    // Values set more than once, each with every index it is set at, in order.
    private static IEnumerable<(string Value, IReadOnlyList<int> Indices)> Duplicates(IEnumerable<string?> values) =>
        values.Select((v, i) => (Value: v, Index: i))
            .Where(v => !string.IsNullOrEmpty(v.Value))
            .GroupBy(v => v.Value!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => (g.Key, (IReadOnlyList<int>)g.Select(v => v.Index).ToList()));

    private static string Listed(IReadOnlyList<int> indices, string key) => string.Join(" and ", indices.Select(i => $"regions[{i}].{key}"));

    // Characters a YAML or JSON value can carry that no name, URL or context should: a newline in a kube context
    // would start a new line in render's output, a NUL ends a C string in kubectl.
    private static bool HasControl(string value) => value.Any(char.IsControl);

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelLoose();

    // The name part of a qualified name (apimachinery content.IsLabelKey, which IsQualifiedName is): at most 63 characters.
    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex QualifiedNamePart();

    // apimachinery pkg/util/validation IsConfigMapKey, which Secret keys are checked with.
    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex SecretKey();

    [GeneratedRegex("^(?<number>[0-9]{1,20}(\\.[0-9]{1,9})?)(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")]
    private static partial Regex Quantity();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^(s3|gs|https?)://[^/]+")]
    private static partial Regex DestinationScheme();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")]
    private static partial System.Text.RegularExpressions.Regex ParameterName();

    private const int MaxWalParallel = 64;

    private static readonly string[] BackupCompressions = ["bzip2", "gzip", "lz4", "snappy"];

    private static readonly string[] Encryptions = ["AES256", "aws:kms"];

    [System.Text.RegularExpressions.GeneratedRegex("^[1-9][0-9]*[dwm]$")]
    private static partial System.Text.RegularExpressions.Regex RetentionPolicy();

    [System.Text.RegularExpressions.GeneratedRegex(@"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial System.Text.RegularExpressions.Regex IamRoleArn();
}

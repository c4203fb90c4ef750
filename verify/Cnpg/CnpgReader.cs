using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// Reads CNPG objects of one kubeconfig context through KubernetesClient's generic custom-object API, each read bounded
/// by a limit. Thin on purpose: what the documents mean is <see cref="CnpgClusterStatus"/>'s and <see cref="CnpgView"/>'s.
/// </summary>
public sealed class CnpgReader : IDisposable
{
    private readonly Lazy<Kubernetes> _client;

    /// <summary>A reader of <paramref name="context"/> in <paramref name="options"/>' kubeconfig; nothing is loaded until the first read.</summary>
    public CnpgReader(KubeOptions options, string context, TimeSpan limit)
    {
        Options = options;
        Context = context;
        Limit = limit;
        _client = new Lazy<Kubernetes>(() => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigObject(Load(options), context)));
    }

    /// <summary>Where the kubeconfig and namespace come from.</summary>
    public KubeOptions Options { get; }

    /// <summary>The kubeconfig context.</summary>
    public string Context { get; }

    /// <summary>How long one read may take.</summary>
    public TimeSpan Limit { get; }

    /// <summary>Reads the Cluster <paramref name="name"/>.</summary>
    /// <exception cref="CnpgReadException">It could not be read or is not a Cluster; the message says why.</exception>
    public async Task<CnpgClusterStatus> ClusterAsync(string name, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(CnpgApi.Clusters, "Cluster", name, cancellationToken);
        return Parsed(() => CnpgClusterStatus.Parse(document), "Cluster", name);
    }

    /// <summary>Reads the Pooler <paramref name="name"/>.</summary>
    /// <exception cref="CnpgReadException">It could not be read or is not a Pooler; the message says why.</exception>
    public async Task<CnpgPoolerStatus> PoolerAsync(string name, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(CnpgApi.Poolers, "Pooler", name, cancellationToken);
        return Parsed(() => CnpgPoolerStatus.Parse(document), "Pooler", name);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    // KubernetesClient's BuildConfigFromConfigFile(null, …) reads ~/.kube/config alone (KubernetesClient 21.0.8
    // KubernetesClientConfiguration.ConfigFile.cs); kubectl merges every file KUBECONFIG lists, the first to set a name
    // winning. The library's own merge (LoadKubeConfig(FileInfo[])) is internal, so its rule is applied here to the
    // files it loads one by one. A relative path resolves against the first file's directory (the merged config's FileName).
    private static K8SConfiguration Load(KubeOptions options)
    {
        var home = KubernetesClientConfiguration.KubeConfigDefaultLocation;
        var configs = KubeconfigFiles.Precedence(options.Kubeconfig, options.KubeconfigVariable, home)
            .Where(File.Exists).Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f), useRelativePaths: true)).ToList();
        if (configs.Count == 0)
        {
            throw new KubeConfigException("none of its files exists");
        }

        var merged = configs[0];
        foreach (var next in configs.Skip(1))
        {
            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = FirstWins(merged.Clusters, next.Clusters, c => c.Name);
            merged.Users = FirstWins(merged.Users, next.Users, u => u.Name);
            merged.Contexts = FirstWins(merged.Contexts, next.Contexts, c => c.Name);
        }

        return merged;
    }

    private static List<T> FirstWins<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name) =>
        [.. (first ?? []).Concat(next ?? []).DistinctBy(name, StringComparer.Ordinal)];

    private string Object(string kind, string name) => $"{kind} {Options.Namespace}/{name} ({CnpgApi.Group}/{CnpgApi.Version})";

    private T Parsed<T>(Func<T> parse, string kind, string name)
    {
        try
        {
            return parse();
        }
        catch (CnpgDocumentException e)
        {
            throw new CnpgReadException($"context {Context}: {Object(kind, name)} is not what CNPG serves: {e.Message}", e);
        }
    }

    private async Task<JsonElement> ReadAsync(string plural, string kind, string name, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var what = $"context {Context}: reading {Object(kind, name)}";
        try
        {
            return await _client.Value.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(CnpgApi.Group, CnpgApi.Version, Options.Namespace, plural, name, limit.Token);
        }
        catch (HttpOperationException e)
        {
            throw new CnpgReadException($"{what} failed: {Status(e.Response.StatusCode, kind, name)}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CnpgReadException($"{what}: the API server did not answer within {Limit.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new CnpgReadException($"{what}: the API server is unreachable ({e.Message})", e);
        }
        catch (Exception e) when (e is KubeConfigException or KubernetesClientException or IOException or UnauthorizedAccessException)
        {
            // A missing kubeconfig or context, or credentials the client cannot load: the same for every object of the context.
            var source = KubeconfigFiles.Describe(Options.Kubeconfig, Options.KubeconfigVariable, KubernetesClientConfiguration.KubeConfigDefaultLocation);
            throw new CnpgReadException($"{what}: {source} gives no usable context {Context} ({e.Message})", e);
        }
    }

    private string Status(HttpStatusCode code, string kind, string name) => code switch
    {
        HttpStatusCode.NotFound => $"404 Not Found: there is no {kind} {name} in namespace {Options.Namespace} (or CNPG's CRDs are not installed); give --kube-namespace or check the context",
        HttpStatusCode.Forbidden => $"403 Forbidden: the context's user may not get {kind.ToLowerInvariant()}s.{CnpgApi.Group} in namespace {Options.Namespace}",
        HttpStatusCode.Unauthorized => "401 Unauthorized: the API server refused the context's credentials",
        _ => $"HTTP {(int)code} {code}",
    };
}

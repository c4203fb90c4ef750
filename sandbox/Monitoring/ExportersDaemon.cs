using System.Net;
using CrossClusterIac.Topology.Cnpg.Monitoring;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// The exporters' process (<c>sandbox exporters-daemon</c>): serves, on 127.0.0.1, each region's instance exporter and
/// pooler exporter at <c>/metrics</c>, each scrape running its queries then (CNPG's exporters collect per scrape). It
/// ends when the sandbox's state file goes or on SIGTERM.
/// </summary>
public static class ExportersDaemon
{
    /// <summary>The daemon's pid file, in the sandbox directory.</summary>
    public const string PidFileName = "exporters.pid";

    /// <summary>The daemon's log.</summary>
    public const string LogFileName = "exporters.log";

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled or the sandbox is removed; returns the exit code.</summary>
    public static async Task<int> RunAsync(string directory, CancellationToken cancellationToken)
    {
        var statePath = Path.Combine(directory, SandboxState.FileName);
        var state = SandboxState.Read(statePath);
        var monitoring = state.Monitoring ?? throw new SandboxException($"The sandbox in {directory} was started without --monitoring.", SandboxException.UsageExitCode);
        var defaults = DefaultQueries();
        var (binaries, user) = (ServerBinaries.Locate(), ServerUser.Current());
        var exporters = new Dictionary<int, Func<CancellationToken, Task<IReadOnlyList<MetricSample>>>>();
        var instances = new List<InstanceExporter>();
        foreach (var region in state.Regions)
        {
            var ports = monitoring.Region(region.Name);
            var instance = new InstanceExporter(directory, region, defaults);
            instances.Add(instance);
            exporters[ports.InstanceExporterPort] = instance.ScrapeAsync;
            exporters[ports.PoolerExporterPort] = new PoolerExporter(region, binaries, user).ScrapeAsync;
        }

        using var listener = new HttpListener();
        foreach (var port in exporters.Keys)
        {
            listener.Prefixes.Add($"http://{SandboxTopology.Address}:{port}/");
        }

        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = WatchStateAsync(statePath, stop);
        using var registration = stop.Token.Register(listener.Stop);
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stop.IsCancellationRequested)
            {
                break;
            }

            _ = ServeAsync(context, exporters[context.Request.LocalEndPoint.Port], stop.Token);
        }

        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }

        return 0;
    }

    private static async Task ServeAsync(HttpListenerContext context, Func<CancellationToken, Task<IReadOnlyList<MetricSample>>> scrape, CancellationToken cancellationToken)
    {
        using var response = context.Response;
        try
        {
            if (context.Request.Url?.AbsolutePath != "/metrics")
            {
                response.StatusCode = 404;
                return;
            }

            var page = await Exposition.TextAsync(await scrape(cancellationToken), cancellationToken);
            response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await response.OutputStream.WriteAsync(page, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A scrape that fails answers 500, which Prometheus records as up 0, as it would a failing exporter.
            await Console.Error.WriteLineAsync($"{DateTime.UtcNow:O} scrape of {context.Request.LocalEndPoint} failed: {e.Message}");
            response.StatusCode = 500;
        }
    }

    // The sandbox removed (sandbox down without a ledger entry for this process): stop.
    private static async Task WatchStateAsync(string statePath, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested && File.Exists(statePath))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await stop.CancelAsync();
    }

    /// <summary>
    /// CNPG v1.30.0's default queries, as its operator ships them (<c>config/manager/default-monitoring.yaml</c>, the
    /// ConfigMap's key <c>queries</c>), embedded unchanged (<c>sandbox/Monitoring/default-monitoring.yaml</c>).
    /// </summary>
    public static IReadOnlyList<MonitoringQuery> DefaultQueries()
    {
        using var stream = typeof(ExportersDaemon).Assembly.GetManifestResourceStream("default-monitoring.yaml")!;
        using var reader = new StreamReader(stream);
        return MonitoringQuery.FromConfigMap(reader.ReadToEnd(), "queries");
    }
}

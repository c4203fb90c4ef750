using CrossClusterIac.Topology.Cnpg.Monitoring;
using Prometheus;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// Series as Prometheus' text exposition format, written by prometheus-net (names and label values checked and
/// escaped by it) from a registry made for this one scrape, as CNPG's exporters make const metrics at each collection:
/// a series absent from this scrape is absent from the page, not left at its last value.
/// </summary>
internal static class Exposition
{
    /// <summary>The page of one scrape.</summary>
    public static async Task<byte[]> TextAsync(IReadOnlyList<MetricSample> samples, CancellationToken cancellationToken)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        foreach (var metric in samples.GroupBy(s => s.Name, StringComparer.Ordinal))
        {
            var first = metric.First();
            var labelNames = first.Labels.Select(l => l.Key).ToArray();
            if (first.Usage == ColumnUsage.Counter)
            {
                var counter = factory.CreateCounter(metric.Key, first.Help, new CounterConfiguration { LabelNames = labelNames, SuppressInitialValue = true });
                foreach (var sample in metric)
                {
                    counter.WithLabels([.. sample.Labels.Select(l => l.Value)]).IncTo(sample.Value);
                }
            }
            else
            {
                var gauge = factory.CreateGauge(metric.Key, first.Help, new GaugeConfiguration { LabelNames = labelNames, SuppressInitialValue = true });
                foreach (var sample in metric)
                {
                    gauge.WithLabels([.. sample.Labels.Select(l => l.Value)]).Set(sample.Value);
                }
            }
        }

        using var page = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(page, cancellationToken);
        return page.ToArray();
    }
}

using System.Text.Json;

namespace CrossClusterIac.Topology.Outputs;

/// <summary>
/// The addresses the last deployment exported, by region: what a NodePort region whose address is discovered
/// (<c>auto</c>) falls back to when its cluster does not answer, so that a region that is gone does not stop the update
/// that fails over from it.
/// </summary>
public static class LastKnownAddresses
{
    /// <summary>Each region's pooler host in the last deployment's <c>regions</c> output (JSON); none when there is no such output or it cannot be read.</summary>
    public static IReadOnlyDictionary<string, string> Of(string? regionsJson)
    {
        if (regionsJson is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        try
        {
            var regions = JsonSerializer.Deserialize<List<RegionOutputs>>(regionsJson, TopologyOutputsJson.Options) ?? [];
            return regions.Where(r => r is { Name: not null, Pooler.Host: not null }).ToDictionary(r => r.Name, r => r.Pooler.Host, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // A shape this program does not read: no fallback, and a dead region's discovery fails as it would without one.
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }
}

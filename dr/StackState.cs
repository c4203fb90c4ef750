using System.Text.Json;
using System.Text.Json.Nodes;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Dr;

/// <summary>
/// What a stack's config says of its primary: the topology and the promotion token, read from
/// <c>pulumi config --json --show-secrets</c> (pulumi/pulumi <c>pkg/cmd/pulumi/config/config.go</c>: each key maps to
/// <c>{"value", "objectValue", "secret"}</c>, <c>objectValue</c> for a structured value).
/// </summary>
/// <param name="Topology">The validated topology.</param>
/// <param name="PromotionToken">The secret <c>cross-cluster-dr:promotionToken</c>, or <c>null</c>.</param>
/// <param name="Completing">
/// A switchover's last config edits are under way: <c>primaryRegion</c> already names the target while
/// <c>switchover</c> or the token is still set. The program refuses to deploy that (its validator: the target is
/// already primary; the token without a switchover), so an interruption there cannot deploy two primaries.
/// </param>
/// <param name="SwitchoverSet">Whether the config holds a <c>switchover</c> key, completing or not.</param>
public sealed record StackState(TopologyConfig Topology, string? PromotionToken, bool Completing = false, bool SwitchoverSet = false)
{
    /// <summary>The region <c>cross-cluster-dr:rebuild</c> names (a rejoin under way, or one that an error stopped), or <c>null</c>.</summary>
    public string? Rebuild { get; init; }

    /// <summary>The stack config key of the topology.</summary>
    public const string TopologyKey = TopologyConfigLoader.ConfigKey;

    /// <summary>The secret stack config key of the demotion token.</summary>
    public const string PromotionTokenKey = TopologyConfigLoader.PromotionTokenKey;

    /// <summary>Reads <c>pulumi config --json</c>'s output.</summary>
    /// <exception cref="DrException">The output is not that, or the topology is invalid.</exception>
    public static StackState Parse(string json)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(json) as JsonObject ?? throw new DrException("`pulumi config --json` printed no JSON object.");
        }
        catch (JsonException e)
        {
            throw new DrException($"`pulumi config --json` printed no JSON: {e.Message}");
        }

        if (config[TopologyKey] is not JsonObject entry)
        {
            throw new DrException($"the stack has no {TopologyKey}; set it as infra/Pulumi.dev.yaml does.");
        }

        var text = entry["objectValue"]?.ToJsonString() ?? entry["value"]?.GetValue<string>()
            ?? throw new DrException($"{TopologyKey} has no value.");
        var token = (config[PromotionTokenKey] as JsonObject)?["value"]?.GetValue<string>();
        try
        {
            var topology = JsonNode.Parse(text) as JsonObject ?? throw new DrException($"{TopologyKey} is not an object.");
            var primary = topology["primaryRegion"]?.ToString();
            var switchoverSet = topology["switchover"] is not null;
            var completing = topology["switchover"] is JsonObject switchover && switchover["to"]?.ToString() == primary;
            if (completing)
            {
                topology.Remove("switchover");
            }

            var parsed = TopologyConfigLoader.FromJson(topology.ToJsonString());
            if (parsed.Switchover is null && token is not null)
            {
                // Left by a switchover whose last edits were interrupted: complete it, or remove the token.
                completing = true;
            }

            return new StackState(parsed.Switchover is { } s ? parsed with { Switchover = s with { PromotionToken = token } } : parsed, token, completing, switchoverSet)
            {
                Rebuild = (config[TopologyConfigLoader.RebuildKey] as JsonObject)?["value"]?.GetValue<string>(),
            };
        }
        catch (JsonException e)
        {
            throw new DrException($"{TopologyKey} is not JSON: {e.Message}");
        }
        catch (TopologyConfigException e)
        {
            throw new DrException(e.Message);
        }
    }

    /// <summary>The region's kube context.</summary>
    public string ContextOf(string region) => Topology.Regions.Single(r => r.Name == region).KubeContext!;
}

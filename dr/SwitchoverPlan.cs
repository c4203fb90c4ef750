using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Dr;

/// <summary>
/// The steps of a controlled switchover still to run from what the stack's config says now: each run of
/// <c>dr switchover</c> starts from the state it finds, so an interrupted one continues where it stopped. The phases
/// are the program's (<see cref="ReplicaRoles"/>); the waits are on CNPG's Cluster status.
/// </summary>
public static class SwitchoverPlan
{
    /// <summary>The steps left to make <paramref name="to"/> primary.</summary>
    /// <exception cref="DrException">Another switchover is under way, or <paramref name="to"/> is not a region.</exception>
    public static IReadOnlyList<SwitchoverStep> From(StackState state, string to)
    {
        var topology = state.Topology;
        if (topology.Regions.All(r => r.Name != to))
        {
            throw new DrException($"--to: no region '{to}' in the stack; it has {string.Join(", ", topology.Regions.Select(r => r.Name))}.", DrException.UsageExitCode);
        }

        var from = topology.PrimaryRegion!;
        List<SwitchoverStep> finish = [new(SwitchoverAction.Complete, from, to), new(SwitchoverAction.ApplyCompleted, from, to), new(SwitchoverAction.Verify, from, to)];
        if (state.Completing)
        {
            return from == to
                ? finish
                : throw new DrException($"the config is between a switchover's last edits (primaryRegion {from} with switchover.to {from} or {StackState.PromotionTokenKey} still set), which the program refuses to deploy; finish it first with `dr switchover --to {from}`.", DrException.UsageExitCode);
        }

        if (topology.Switchover is { To: { } underWay } && underWay != to)
        {
            throw new DrException($"a switchover to {underWay} is under way; finish it with `dr switchover --to {underWay}` first.", DrException.UsageExitCode);
        }

        if (from == to)
        {
            return [new(SwitchoverAction.Verify, from, to)];
        }

        List<SwitchoverStep> promote = [new(SwitchoverAction.ApplyPromotion, from, to), new(SwitchoverAction.AwaitPromotion, from, to), .. finish];
        return topology.Switchover switch
        {
            null => [new(SwitchoverAction.SetTarget, from, to), new(SwitchoverAction.ApplyDemotion, from, to), new(SwitchoverAction.AwaitDemotionToken, from, to), .. promote],
            { PromotionToken: null } => [new(SwitchoverAction.ApplyDemotion, from, to), new(SwitchoverAction.AwaitDemotionToken, from, to), .. promote],
            _ => promote,
        };
    }
}

/// <summary>One step of a switchover.</summary>
/// <param name="Action">What it does.</param>
/// <param name="From">The primary region it starts from.</param>
/// <param name="To">The region becoming primary.</param>
public sealed record SwitchoverStep(SwitchoverAction Action, string From, string To)
{
    /// <summary>What the step does, in a line.</summary>
    public string Describe() => Action switch
    {
        SwitchoverAction.SetTarget => $"pulumi config set --path '{StackState.TopologyKey}.switchover.to' {To}",
        SwitchoverAction.ApplyDemotion => $"pulumi up: phase 1, pg-{From} demoted towards pg-{To} (no region primary until phase 2)",
        SwitchoverAction.AwaitDemotionToken => $"wait for pg-{From}'s .status.demotionToken, then pulumi config set --secret {StackState.PromotionTokenKey} <token>",
        SwitchoverAction.ApplyPromotion => $"pulumi up: phase 2, pg-{To} primary with the promotion token, every region following it",
        SwitchoverAction.AwaitPromotion => $"wait until pg-{To}'s .status.lastPromotionToken is the token (CNPG promoted it)",
        SwitchoverAction.Complete => $"pulumi config: primaryRegion {To}, switchover and {StackState.PromotionTokenKey} removed",
        SwitchoverAction.ApplyCompleted => "pulumi up: the completed topology",
        _ => "verify with the stack's outputs",
    };
}

/// <summary>What a switchover step does.</summary>
public enum SwitchoverAction
{
    /// <summary>Set <c>switchover.to</c>.</summary>
    SetTarget,

    /// <summary><c>pulumi up</c> of phase 1.</summary>
    ApplyDemotion,

    /// <summary>Wait for the old primary's demotion token and store it as a secret.</summary>
    AwaitDemotionToken,

    /// <summary><c>pulumi up</c> of phase 2.</summary>
    ApplyPromotion,

    /// <summary>Wait for CNPG to promote the target.</summary>
    AwaitPromotion,

    /// <summary>Make the config the completed topology.</summary>
    Complete,

    /// <summary><c>pulumi up</c> of the completed topology.</summary>
    ApplyCompleted,

    /// <summary>Run verify on the stack's outputs.</summary>
    Verify,
}

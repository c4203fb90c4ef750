using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>One resource's fate in an update: Pulumi's step, what is sent for it, and CNPG's refusals of that.</summary>
/// <param name="Key">The resource.</param>
/// <param name="Before">What the resource held before (the inputs last sent), or <c>null</c>.</param>
/// <param name="Sent">What the update sends (ignored paths keep their old values), or <c>null</c> when deleted.</param>
/// <param name="Step">Pulumi's step.</param>
/// <param name="Refusals">CNPG's webhook refusals of what is sent.</param>
public sealed record JudgedStep(ObjectKey Key, ObjectImage? Before, ObjectImage? Sent, PlannedStep Step, IReadOnlyList<string> Refusals);

/// <summary>An update judged: every resource's step and every process told.</summary>
/// <param name="Update">The update.</param>
/// <param name="Steps">Every resource's step, unchanged ones included; none when the program refuses the update.</param>
/// <param name="Reactions">The processes told, region by region.</param>
public sealed record UpdateVerdict(Update Update, IReadOnlyList<JudgedStep> Steps, IReadOnlyList<Reaction> Reactions)
{
    /// <summary>The program's own refusals (<see cref="DeployedIdentity.RefusalsOf"/>), made before it declares any resource.</summary>
    public IReadOnlyList<ConfigProblem> ProgramRefusals { get; init; } = [];

    /// <summary>
    /// The stack outputs the program cannot compute, as <c>regions[eu]</c> or <c>writer</c>: they wait for a step that
    /// failed or was skipped (<see cref="ResourceGraph.OutputDependenciesOf"/>).
    /// </summary>
    public IReadOnlyList<string> UnknownOutputs { get; init; } = [];

    /// <summary>The steps that do something.</summary>
    public IEnumerable<JudgedStep> Changes => Steps.Where(s => s.Step.Action is not (PlannedAction.Same or PlannedAction.Failed or PlannedAction.Skipped));

    /// <summary>Whether the program or the engine refuses the update.</summary>
    public bool Refused => ProgramRefusals.Count > 0 || Steps.Any(s => s.Step.Action == PlannedAction.Refused);
}

/// <summary>
/// The one engine that reads the three oracles (<see cref="PulumiPlan"/>, <see cref="CnpgAdmission"/>,
/// <see cref="CnpgReaction"/>) over a scenario: each update is judged against what the updates before it left, as
/// Pulumi diffs against the inputs it last sent.
/// </summary>
public static class TransitionJudge
{
    /// <summary>Every update of <paramref name="scenario"/>, setup first; an update the engine refuses changes nothing.</summary>
    public static IReadOnlyList<UpdateVerdict> Judge(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var live = new Dictionary<ObjectKey, (ObjectImage Image, ResourceOptions Options)>();
        var verdicts = new List<UpdateVerdict>();
        DeployedIdentity? deployed = null;
        foreach (var update in scenario.Setup.Concat(scenario.Updates))
        {
            // The program reads the last deployment's identity before it declares anything (TopologyStack), so a
            // rename it refuses reaches neither the engine nor a cluster.
            var renames = deployed?.RefusalsOf(update.State.Topology, update.State.Failover) ?? [];
            var verdict = renames.Count > 0 ? new UpdateVerdict(update, [], []) { ProgramRefusals = renames } : Judge(update, live);
            verdicts.Add(verdict);
            if (verdict.Refused)
            {
                continue;
            }

            deployed = DeployedIdentity.Of(update.State.Topology);

            // A failed or skipped step leaves the resource, and the state's record of it, as they were.
            foreach (var step in verdict.Steps.Where(s => s.Step.Action is not (PlannedAction.Failed or PlannedAction.Skipped)))
            {
                if (step.Sent is null)
                {
                    live.Remove(step.Key);
                }
                else
                {
                    live[step.Key] = (step.Sent, ResourcePolicy.For(step.Key, update.State.Rebuild));
                }
            }
        }

        return verdicts;
    }

    private static UpdateVerdict Judge(Update update, IReadOnlyDictionary<ObjectKey, (ObjectImage Image, ResourceOptions Options)> live)
    {
        var after = update.State.Objects();
        var steps = new List<JudgedStep>();
        foreach (var key in live.Keys.Union(after.Keys).OrderBy(k => k.ToString(), StringComparer.Ordinal))
        {
            var before = live.TryGetValue(key, out var old) ? old : ((ObjectImage Image, ResourceOptions Options)?)null;
            var desired = after.GetValueOrDefault(key);
            var oldOptions = before is { } b ? b.Options with { Protect = b.Options.Protect && !update.Unprotected.Contains(key.Region) } : ResourceOptions.None;
            var newOptions = ResourcePolicy.For(key, update.State.Rebuild);

            // dr rejoin runs `pulumi up --replace <URN of the rebuilt region's Cluster>`.
            var replace = before is not null && key.Kind == "Cluster" && key.Region == update.State.Rebuild;
            var step = PulumiPlan.Plan(key, before?.Image, desired, oldOptions, newOptions, replace);
            if (update.Unreachable.Contains(key.Region))
            {
                step = PulumiPlan.WhenUnreachable(step, update.DeleteUnreachable);
            }

            var sent = desired is null ? null : before is { } was ? PulumiPlan.Sent(was.Image, desired, newOptions) : desired;
            var created = step.Action is PlannedAction.Create or PlannedAction.ReplaceCreateFirst or PlannedAction.ReplaceDeleteFirst;
            var refusals = sent is null || step.Action is PlannedAction.Same or PlannedAction.Refused or PlannedAction.Failed ? [] : CnpgAdmission.Refusals(sent, created ? null : before?.Image);
            steps.Add(new JudgedStep(key, before?.Image, sent, step, refusals));
        }

        steps = Skip(steps, ResourceGraph.Of(update.State));
        var stopped = steps.Where(s => s.Step.Action is PlannedAction.Failed or PlannedAction.Skipped).Select(s => s.Key).ToHashSet();
        var taken = steps.Where(s => !stopped.Contains(s.Key)).ToList();
        var reactions = taken.Select(s => s.Key.Region).Distinct(StringComparer.Ordinal).SelectMany(region => CnpgReaction.Of(region, taken)).ToList();
        return new UpdateVerdict(update, steps, reactions) { UnknownOutputs = UnknownOutputs(update.State, stopped) };
    }

    // Under --continue-on-error the engine skips every step that waits for a failed or skipped one
    // (deployment_executor.go handleSingleEvent): the program registers a resource only once what it waits for is done,
    // so the skip reaches every resource downstream, same steps included.
    private static List<JudgedStep> Skip(List<JudgedStep> steps, IReadOnlyDictionary<ObjectKey, IReadOnlyList<ObjectKey>> graph)
    {
        var stopped = steps.Where(s => s.Step.Action == PlannedAction.Failed).Select(s => s.Key).ToHashSet();
        var skipped = new HashSet<ObjectKey>();
        bool grew;
        do
        {
            grew = false;
            foreach (var step in steps.Where(s => !skipped.Contains(s.Key) && graph.TryGetValue(s.Key, out var waits) && waits.Any(stopped.Contains)))
            {
                grew |= skipped.Add(step.Key) | stopped.Add(step.Key);
            }
        }
        while (grew);

        return [.. steps.Select(s => s.Step.Action == PlannedAction.Failed ? s with { Sent = s.Before } : skipped.Contains(s.Key)
            ? s with { Sent = s.Before, Refusals = [], Step = new PlannedStep(PlannedAction.Skipped, s.Step.Changed, $"waits for {string.Join(", ", graph[s.Key].Where(stopped.Contains))}, which did not complete") }
            : s)];
    }

    private static List<string> UnknownOutputs(DeployedState state, IReadOnlySet<ObjectKey> stopped)
    {
        var unknown = state.Topology.Regions.Where(r => ResourceGraph.OutputDependenciesOf(r.Name!, state).Any(stopped.Contains)).Select(r => r.Name!).ToList();
        var writable = Naming.ReplicaRoles.Of(state.Topology).Writable ?? state.Topology.PrimaryRegion!;
        return [.. unknown.Select(r => $"regions[{r}]"), .. unknown.Contains(writable) ? ["writer"] : Array.Empty<string>()];
    }
}

using System.Text;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// What each operation does, for the people who run it: per update, the resources Pulumi creates, updates, replaces
/// and deletes, the processes CNPG tells, and what is unavailable meanwhile, judged by <see cref="TransitionJudge"/>.
/// </summary>
public static class OperationTable
{
    /// <summary>The table for a topology of <paramref name="regions"/> regions in <paramref name="mode"/>, as Markdown.</summary>
    public static string Markdown(int regions, ReplicationMode mode)
    {
        var text = new StringBuilder()
            .Append("| operation | command | update | Pulumi | processes told | unavailable meanwhile |\n")
            .Append("| --- | --- | --- | --- | --- | --- |\n");
        foreach (var scenario in OperationCatalogue.For(regions, mode))
        {
            var verdicts = TransitionJudge.Judge(scenario).Skip(scenario.Setup.Count).ToList();
            foreach (var verdict in verdicts)
            {
                var first = verdict == verdicts[0];
                text.Append("| ").Append(first ? scenario.Operation : string.Empty)
                    .Append(" | ").Append(first ? $"`{scenario.Command}`" : string.Empty)
                    .Append(" | ").Append(verdict.Update.Name)
                    .Append(" | ").Append(Steps(verdict))
                    .Append(" | ").Append(Told(verdict))
                    .Append(" | ").Append(Unavailable(verdict))
                    .Append(" |\n");
            }
        }

        return text.ToString();
    }

    private static string Steps(UpdateVerdict verdict)
    {
        if (verdict.ProgramRefusals.Count > 0)
        {
            return $"refused by the program before it declares anything, naming {string.Join(", ", verdict.ProgramRefusals.Select(p => p.Key))} and the safe way";
        }

        if (verdict.Refused)
        {
            return "refused: " + string.Join("; ", verdict.Steps.Where(s => s.Step.Action == PlannedAction.Refused).Select(s => $"{s.Key.Kind}/{s.Key.Name} ({s.Step.Reason})").Distinct().Take(2));
        }

        var groups = verdict.Changes.Concat(verdict.Steps.Where(s => s.Step.Action is PlannedAction.Failed or PlannedAction.Skipped))
            .GroupBy(s => s.Step.Action)
            .OrderBy(g => g.Key)
            .Select(g => $"{Verb(g.Key)} {string.Join(", ", g.GroupBy(s => s.Key.Kind).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Count()} {k.Key}"))}")
            .ToList();
        return groups.Count == 0 ? "no change" : string.Join("; ", groups);
    }

    private static string Verb(PlannedAction action) => action switch
    {
        PlannedAction.Create => "creates",
        PlannedAction.Update => "updates",
        PlannedAction.ReplaceDeleteFirst => "replaces (delete first)",
        PlannedAction.ReplaceCreateFirst => "replaces (create first)",
        PlannedAction.Delete => "deletes",
        PlannedAction.Failed => "fails (API unreachable)",
        PlannedAction.Skipped => "skips (waiting on a failed step)",
        _ => action.ToString(),
    };

    private static string Told(UpdateVerdict verdict)
    {
        if (verdict.Refused)
        {
            return "none: the update stops";
        }

        var told = verdict.Reactions
            .GroupBy(r => r.Process)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} in {string.Join(", ", g.Select(r => r.Region).Distinct(StringComparer.Ordinal))}")
            .ToList();
        return told.Count == 0 ? "none" : string.Join("; ", told);
    }

    private static string Unavailable(UpdateVerdict verdict)
    {
        var regions = (string process) => string.Join(", ", verdict.Reactions.Where(r => r.Process == process).Select(r => r.Region).Distinct(StringComparer.Ordinal));
        if (verdict.Refused || verdict.Update.Name == "first up")
        {
            return verdict.Refused ? "nothing changes" : "everything, until created";
        }

        var notes = new List<string>();
        if (verdict.Update.Unreachable.Count > 0)
        {
            notes.Add($"everything in {string.Join(", ", verdict.Update.Unreachable.Order(StringComparer.Ordinal))}, whose API does not answer");
        }

        if (!verdict.Refused && Naming.ReplicaRoles.Of(verdict.Update.State.Topology).Writable is null)
        {
            notes.Add("no region takes writes until phase 2's promotion");
        }

        if (regions(CnpgReaction.Bootstrap) is { Length: > 0 } bootstrapped)
        {
            notes.Add($"the Cluster in {bootstrapped} until its instances are made (restore from the source's backup)");
        }

        if (regions(CnpgReaction.WalReceiver) is { Length: > 0 } reconnecting)
        {
            notes.Add($"replication into {reconnecting} while the WAL receiver reconnects");
        }

        if (regions(CnpgReaction.PoolerRollout) is { Length: > 0 } rolling)
        {
            notes.Add($"PgBouncer pods in {rolling} are replaced: their clients reconnect");
        }

        return notes.Count == 0 ? "nothing (reloads keep sessions)" : string.Join("; ", notes);
    }
}

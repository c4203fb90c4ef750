using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;

namespace CrossClusterIac.Tests.Topology.Lifecycle;

public sealed class OperationTableTests
{
    [Fact]
    public void TheDocsTableIsWhatTheModelJudgesToday()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "operations.md"));
        var table = OperationTable.Markdown(3, ReplicationMode.Streaming);

        Assert.True(docs.EndsWith(table, StringComparison.Ordinal), $"docs/operations.md is stale; its table is now:\n{table}");
    }

    [Fact]
    public void ARefusedEditSaysWhyAndThatNothingChanges()
    {
        var table = OperationTable.Markdown(2, ReplicationMode.Archive).Split('\n');

        var rename = Assert.Single(table, l => l.StartsWith("| namespace rename (refused)", StringComparison.Ordinal));
        Assert.Contains("| refused by the program before it declares anything, naming topology.namespace and the safe way |", rename, StringComparison.Ordinal);
        Assert.EndsWith("| none: the update stops | nothing changes |", rename, StringComparison.Ordinal);
        var demote = Assert.Single(table, l => l.StartsWith("| switchover |", StringComparison.Ordinal));
        Assert.Contains("no region takes writes until phase 2's promotion", demote, StringComparison.Ordinal);
    }
}

namespace CrossClusterIac.Topology.Config;

/// <summary>A topology config that cannot be used; <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class TopologyConfigException : Exception
{
    /// <summary>Creates the exception for the given problems.</summary>
    public TopologyConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string Describe(IReadOnlyList<ConfigProblem> problems) =>
        $"The topology config has {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}:" + Environment.NewLine +
        string.Join(Environment.NewLine, problems.Select(p => $"  - {p}"));
}

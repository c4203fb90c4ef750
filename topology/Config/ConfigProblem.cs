namespace CrossClusterIac.Topology.Config;

/// <summary>One thing wrong with a topology config: the key it concerns and what to do about it.</summary>
/// <param name="Key">Path of the offending key, e.g. <c>topology.regions[1].exposure.rwPort</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ConfigProblem(string Key, string Message)
{
    /// <summary>The key this problem stands for, when a mistyped key was most likely meant as it: what is said of that key is not said again.</summary>
    public string? Covers { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Message}";
}

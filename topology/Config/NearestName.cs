using F23.StringSimilarity;

namespace CrossClusterIac.Topology.Config;

/// <summary>The name a mistyped one was most likely meant to be: a config key, an option or a subcommand.</summary>
public static class NearestName
{
    private static readonly OptimalStringAlignment Distance = new();

    /// <summary>
    /// The candidate nearest to <paramref name="typed"/>, or <c>null</c> when none is near enough to be meant: one that
    /// differs only in case, that <paramref name="typed"/> begins (<c>stat</c> for <c>status</c>), or that is a few
    /// edits away (an edit being a character added, removed, replaced, or two neighbours swapped) relative to its length.
    /// </summary>
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        var wanted = typed.TrimStart('-').ToLowerInvariant();
        if (wanted.Length == 0)
        {
            return null;
        }

        // One edit in four characters at most, and at least one: "regoins" (2) for "regions", not "eu" for "us".
        var allowed = Math.Max(1, wanted.Length / 4);
        return candidates
            .Select(candidate => (candidate, name: candidate.TrimStart('-').ToLowerInvariant()))
            .Select(c => (c.candidate, distance: c.name.StartsWith(wanted, StringComparison.Ordinal) && wanted.Length >= 3 ? 0.5 : Distance.Distance(wanted, c.name)))
            .Where(c => c.distance <= allowed)
            .OrderBy(c => c.distance)
            .Select(c => c.candidate)
            .FirstOrDefault();
    }
}

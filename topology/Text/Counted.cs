namespace CrossClusterIac.Topology.Text;

/// <summary>A count with its noun in the number it takes: "1 region", "2 regions".</summary>
public static class Counted
{
    /// <summary>
    /// <paramref name="count"/> and <paramref name="noun"/>, plural unless the count is one. The nouns are the project's
    /// own (regions, certificates, checks, rows), regular in English; an irregular one gives its <paramref name="plural"/>.
    /// </summary>
    public static string Of(long count, string noun, string? plural = null) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{count} {(count == 1 ? noun : plural ?? noun + "s")}");
}

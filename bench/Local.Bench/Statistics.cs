/// <summary>Order statistics of a benchmark's samples.</summary>
internal static class Statistics
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>The nearest-rank percentile; the median of an even count is the mean of the middle two.</summary>
    public static double Percentile(IReadOnlyList<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        if (percentile == 50 && sorted.Count % 2 == 0)
        {
            return (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

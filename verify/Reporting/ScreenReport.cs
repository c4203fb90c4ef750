using CrossClusterIac.Verify.Checks;
using Spectre.Console;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>
/// The report on one screen: the causes of a failure first, one headline each with the command to run next, then each
/// region at a glance, then the verdict naming what failed. Every line is wrapped at word boundaries to the width.
/// </summary>
public static class ScreenReport
{
    /// <summary>Writes the report.</summary>
    public static void Render(VerifyReport report, IAnsiConsole console)
    {
        var width = console.Profile.Width;
        var headlines = Headline.Of(report);
        if (headlines.Count > 0)
        {
            console.MarkupLine($"[red]{Markup.Escape(headlines.Count == 1 ? "Cause" : $"{headlines.Count} causes")}[/]");
            foreach (var (headline, index) in headlines.Select((h, i) => (h, i + 1)))
            {
                var number = $"{index}. ";
                Write(console, TextWrap.Lines($"{headline.Cause}: {headline.Consequence}", width, number, new string(' ', number.Length)));
                Write(console, TextWrap.Lines(headline.Next, width, new string(' ', number.Length) + "next: ", new string(' ', number.Length + 6)));
            }

            console.WriteLine();
        }

        foreach (var warning in report.Checks.Where(c => c.Status == CheckStatus.Warning).GroupBy(c => c.Diagnosis ?? c.Detail))
        {
            Write(console, TextWrap.Lines($"warning: {warning.Key}", width, string.Empty, "  "));
        }

        Write(console, Table(RegionRow.Of(report)));
        console.WriteLine();
        var verdict = TextWrap.Lines(Verdict(report, headlines), width);
        console.MarkupLine(Coloured(report, verdict[0]));
        Write(console, verdict.Skip(1));
    }

    /// <summary>The verdict's first line as markup, its first word coloured.</summary>
    public static string Coloured(VerifyReport report, string verdict)
    {
        var word = Word(report);
        return $"[{(report.Passed ? "green" : "red")}]{word}[/]{Markup.Escape(verdict[word.Length..])}";
    }

    /// <summary>
    /// The closing line: the verdict, what failed (each cause's short name), the counts and the time, e.g.
    /// <c>FAILED sandbox: pg-eu is down; 14 passed, 0 warnings, 14 failed in 9100 ms</c>.
    /// </summary>
    public static string Verdict(VerifyReport report, IReadOnlyList<Headline> headlines)
    {
        var counts = $"{report.Count(CheckStatus.Passed)} passed, {Plural(report.Count(CheckStatus.Warning), "warning")}, {report.Count(CheckStatus.Failed)} failed in {report.Duration.TotalMilliseconds:0} ms";
        return report.Passed
            ? $"{Word(report)} {report.Environment}: {counts}"
            : $"{Word(report)} {report.Environment}: {string.Join("; ", headlines.Select(h => h.Cause))}; {counts}";
    }

    private static string Word(VerifyReport report) => report.Passed ? "PASSED" : "FAILED";

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    private static IEnumerable<string> Table(IReadOnlyList<RegionRow> rows)
    {
        var all = new[] { RegionRow.Titles }.Concat(rows).ToList();
        var widths = Enumerable.Range(0, RegionRow.Titles.Cells.Count).Select(i => all.Max(r => r.Cells[i].Length)).ToList();
        return all.Select(row => string.Join("  ", row.Cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }

    private static void Write(IAnsiConsole console, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            console.WriteLine(line);
        }
    }
}

using System.Text.RegularExpressions;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Tests.Verify;

/// <summary>verify's default human report as a person reads it: its lines, its headlines and its closing verdict.</summary>
/// <param name="Lines">Every line, as printed.</param>
internal sealed partial record ScreenText(IReadOnlyList<string> Lines)
{
    /// <summary>The default report of <paramref name="report"/>, written where no terminal is (80 columns).</summary>
    public static ScreenText Of(VerifyReport report)
    {
        using var writer = new StringWriter();
        TableReport.Render(report, ReportConsole.For(writer));
        return Parse(writer.ToString());
    }

    /// <summary>The lines of printed text.</summary>
    public static ScreenText Parse(string text) => new(text.TrimEnd('\n').Split('\n'));

    /// <summary>Each headline, its wrapped lines joined again: "1. cause: consequence", and its next command.</summary>
    public IReadOnlyList<(string Text, string Next)> Headlines
    {
        get
        {
            var headlines = new List<(string, string)>();
            for (var i = 0; i < Lines.Count; i++)
            {
                if (!Numbered().IsMatch(Lines[i]))
                {
                    continue;
                }

                var text = Paragraph(i, l => l.StartsWith("   next: ", StringComparison.Ordinal), out var next);
                var command = next < Lines.Count ? Paragraph(next, l => l.Length == 0 || !l.StartsWith("         ", StringComparison.Ordinal), out _).Replace("next: ", string.Empty, StringComparison.Ordinal) : string.Empty;
                headlines.Add((text, command));
            }

            return headlines;
        }
    }

    /// <summary>The closing verdict, its wrapped lines joined again.</summary>
    public string Verdict => Paragraph(Lines.ToList().FindLastIndex(l => l.StartsWith("PASSED", StringComparison.Ordinal) || l.StartsWith("FAILED", StringComparison.Ordinal)), l => false, out _);

    // The line at start and those that continue it (up to the first that ends, or an empty one), trimmed and joined by spaces.
    private string Paragraph(int start, Func<string, bool> ends, out int end)
    {
        var words = new List<string> { Lines[start].Trim() };
        end = start + 1;
        while (end < Lines.Count && Lines[end].Length > 0 && !ends(Lines[end]) && !Numbered().IsMatch(Lines[end]))
        {
            words.Add(Lines[end].Trim());
            end++;
        }

        return string.Join(' ', words);
    }

    [GeneratedRegex(@"^\d+\. ")]
    private static partial Regex Numbered();
}

using CrossClusterIac.Verify.Checks;
using Spectre.Console;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>The report for people: one screen by default, every check's detail in a table with <c>--verbose</c>.</summary>
public static class TableReport
{
    /// <summary>Writes the report to <paramref name="writer"/>: the screen report, or with <paramref name="verbose"/> the table of every check.</summary>
    public static void Write(VerifyReport report, TextWriter writer, bool verbose)
    {
        if (verbose)
        {
            RenderEveryCheck(report, ReportConsole.For(writer, ReportConsole.LogWidth));
        }
        else
        {
            Render(report, ReportConsole.For(writer));
        }
    }

    /// <summary>Writes the one-screen report: the causes of a failure, each region, the verdict.</summary>
    public static void Render(VerifyReport report, IAnsiConsole console) => ScreenReport.Render(report, console);

    /// <summary>Writes the table of every check and the verdict.</summary>
    public static void RenderEveryCheck(VerifyReport report, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Check").AddColumn("Region").AddColumn("Status").AddColumn(new TableColumn("Time").RightAligned()).AddColumn("Detail / diagnosis");
        foreach (var check in report.Checks)
        {
            var text = check.Diagnosis is null ? Markup.Escape(check.Detail) : $"{Markup.Escape(check.Detail)}\n[bold]→ {Markup.Escape(check.Diagnosis)}[/]";
            table.AddRow(
                new Markup(Markup.Escape(check.Name)),
                new Markup(Markup.Escape(check.Region ?? "-")),
                new Markup(Status(check.Status)),
                new Markup($"{check.Duration.TotalMilliseconds:0} ms"),
                new Markup(text));
        }

        console.Write(table);
        console.MarkupLine(ScreenReport.Coloured(report, ScreenReport.Verdict(report, Headline.Of(report))));
    }

    private static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "[green]pass[/]",
        CheckStatus.Warning => "[yellow]warn[/]",
        _ => "[red]FAIL[/]",
    };
}

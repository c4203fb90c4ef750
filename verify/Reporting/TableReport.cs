using CrossClusterIac.Verify.Checks;
using Spectre.Console;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>The report as a table for people, and one line per finished check while the run goes on.</summary>
public static class TableReport
{
    /// <summary>Writes the table and the verdict.</summary>
    public static void Render(VerifyReport report, IAnsiConsole console)
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
        console.MarkupLine(
            $"{(report.Passed ? "[green]PASSED[/]" : "[red]FAILED[/]")} {Markup.Escape(report.Environment)}: {report.Count(CheckStatus.Passed)} passed, {report.Count(CheckStatus.Warning)} warnings, {report.Count(CheckStatus.Failed)} failed in {report.Duration.TotalMilliseconds:0} ms");
    }

    /// <summary>One line as a check finishes.</summary>
    public static void Progress(CheckResult result, IAnsiConsole console) =>
        console.MarkupLine($"{Status(result.Status)} {Markup.Escape(result.Name)} [grey]{Markup.Escape(result.Region ?? "")} {result.Duration.TotalMilliseconds:0} ms[/]");

    private static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "[green]pass[/]",
        CheckStatus.Warning => "[yellow]warn[/]",
        _ => "[red]FAIL[/]",
    };
}

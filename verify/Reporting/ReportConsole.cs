using Spectre.Console;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>A Spectre.Console console over a writer: colours on a terminal, plain wide text in a log or a pipe.</summary>
public static class ReportConsole
{
    /// <summary>The console writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        var terminal = (writer == Console.Out && !Console.IsOutputRedirected) || (writer == Console.Error && !Console.IsErrorRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            // A log or a pipe has no width; wrapping details at 80 columns would only make them harder to read.
            console.Profile.Width = 200;
        }

        return console;
    }
}

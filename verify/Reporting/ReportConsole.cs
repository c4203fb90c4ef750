using Spectre.Console;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>A Spectre.Console console over a writer: colours on a terminal, plain text in a log or a pipe.</summary>
public static class ReportConsole
{
    /// <summary>The width of the detailed table in a log or a pipe: wrapping details at 80 columns would only make them harder to read.</summary>
    public const int LogWidth = 200;

    /// <summary>The width of a screen report in a log or a pipe: a terminal's when none is known.</summary>
    public const int ScreenWidth = 80;

    /// <summary>Whether <paramref name="writer"/> is the process's own terminal.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        (writer == Console.Out && !Console.IsOutputRedirected) || (writer == Console.Error && !Console.IsErrorRedirected);

    /// <summary>The console writing to <paramref name="writer"/>, <paramref name="pipeWidth"/> columns wide when it is not a terminal.</summary>
    public static IAnsiConsole For(TextWriter writer, int pipeWidth = ScreenWidth)
    {
        var terminal = IsTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            // A log or a pipe has no width of its own.
            console.Profile.Width = pipeWidth;
        }

        return console;
    }
}

using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>
/// How far a run is, on one line of a terminal that each finished check rewrites and the end clears: the report that
/// follows lists the checks, so they are not printed twice. A log or a pipe gets nothing.
/// </summary>
/// <param name="writer">Standard error.</param>
public sealed class ProgressLine(TextWriter writer) : IDisposable
{
    private readonly bool _terminal = ReportConsole.IsTerminal(writer);
    private readonly Lock _gate = new();
    private int _done;
    private int _failed;
    private int _width;

    /// <summary>Counts a finished check.</summary>
    public void Report(CheckResult result)
    {
        if (!_terminal)
        {
            return;
        }

        lock (_gate)
        {
            _done++;
            _failed += result.Status == CheckStatus.Failed ? 1 : 0;
            var line = $"verify: {_done} checks done, {_failed} failed";
            _width = Math.Max(_width, line.Length);
            writer.Write($"\r{line.PadRight(_width)}");
            writer.Flush();
        }
    }

    /// <summary>Clears the line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_width > 0)
            {
                writer.Write($"\r{new string(' ', _width)}\r");
                writer.Flush();
            }
        }
    }
}

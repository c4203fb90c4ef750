using System.Diagnostics;

namespace CrossClusterIac.Sandbox;

/// <summary>Reports each step on standard error with the time elapsed, keeping standard output for results.</summary>
public sealed class ConsoleProgress(TextWriter error) : IProgress<string>
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Report(string value)
    {
        lock (_gate)
        {
            error.WriteLine($"[{_elapsed.Elapsed.TotalSeconds,6:0.00}s] {value}");
        }
    }
}

using CliWrap;
using CliWrap.Buffered;

namespace CrossClusterIac.Sandbox;

/// <summary>Runs a server tool to completion within a time limit, turning failure into a diagnosis.</summary>
public static class ServerCommand
{
    /// <summary>
    /// Runs <paramref name="command"/> and returns what it printed; on a non-zero exit or when <paramref name="timeout"/> passes, throws a
    /// <see cref="SandboxException"/> that says what failed, with the tool's own words and the log to read.
    /// </summary>
    public static async Task<BufferedCommandResult> RunAsync(Command command, string what, TimeSpan timeout, CancellationToken cancellationToken, string? log = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        BufferedCommandResult result;
        try
        {
            result = await command.ExecuteBufferedAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxException($"{what} did not finish within {timeout.TotalSeconds:0} s.{SeeLog(log)}");
        }

        if (result.ExitCode != 0)
        {
            var output = string.Join(" ", new[] { result.StandardError, result.StandardOutput }.Select(s => s.Trim()).Where(s => s.Length > 0));
            throw new SandboxException($"{what} failed (exit {result.ExitCode}): {Tail(output)}{SeeLog(log)}");
        }

        return result;
    }

    private static string SeeLog(string? log) => log is null ? "" : $" See {log}.";

    private static string Tail(string output) => output.Length <= 800 ? output : "…" + output[^800..];
}

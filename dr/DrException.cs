namespace CrossClusterIac.Dr;

/// <summary>A failure of <c>dr</c> with its exit code: 2 for bad input or usage, 1 when a step failed.</summary>
public sealed class DrException(string message, int exitCode = DrException.StepFailedExitCode) : Exception(message)
{
    /// <summary>Exit code of a failed step.</summary>
    public const int StepFailedExitCode = 1;

    /// <summary>Exit code of bad input or usage.</summary>
    public const int UsageExitCode = 2;

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}

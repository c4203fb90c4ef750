namespace CrossClusterIac.Sandbox;

/// <summary>The sandbox could not do what was asked; the message says why and what to do.</summary>
public sealed class SandboxException : Exception
{
    /// <summary>Exit code for a problem with the machine or the arguments rather than a failed start.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Creates the exception.</summary>
    public SandboxException(string message, int exitCode = 1, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>Exit code the command line ends with.</summary>
    public int ExitCode { get; }
}

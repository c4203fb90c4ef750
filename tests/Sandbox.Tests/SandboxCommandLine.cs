using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Runs the sandbox's command line in this process and captures what it prints.</summary>
public static class SandboxCommandLine
{
    /// <summary>Exit code, standard output and standard error of <c>sandbox ARGS</c>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SandboxCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}

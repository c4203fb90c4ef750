using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify;

/// <summary>Where the topology's outputs come from: a file, standard input, or a Pulumi stack.</summary>
public static class OutputsSource
{
    private static readonly TimeSpan PulumiTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Reads and parses the outputs; throws <see cref="UsageException"/> naming what is wrong.</summary>
    public static async Task<TopologyOutputs> ReadAsync(string? file, string? stack, string infraDirectory, TextReader standardInput, CancellationToken cancellationToken)
    {
        if ((file is null) == (stack is null))
        {
            throw new UsageException("give exactly one of --outputs FILE (or - for standard input) and --stack NAME");
        }

        string json;
        string origin;
        if (stack is not null)
        {
            json = await FromPulumiAsync(stack, infraDirectory, cancellationToken);
            origin = $"the outputs of stack '{stack}'";
        }
        else if (file == "-")
        {
            json = await standardInput.ReadToEndAsync(cancellationToken);
            origin = "standard input";
        }
        else if (!File.Exists(file))
        {
            throw new UsageException($"--outputs: {file} does not exist");
        }
        else
        {
            json = await File.ReadAllTextAsync(file!, cancellationToken);
            origin = file!;
        }

        try
        {
            return TopologyOutputsJson.Parse(json);
        }
        catch (OutputsFormatException e)
        {
            throw new UsageException($"{origin} is not usable: {e.Message}");
        }
    }

    private static async Task<string> FromPulumiAsync(string stack, string infraDirectory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(infraDirectory))
        {
            throw new UsageException($"--infra-dir: {infraDirectory} does not exist; point it at the Pulumi project (the folder holding Pulumi.yaml)");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(PulumiTimeout);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("pulumi")
                .WithArguments(["stack", "output", "--json", "--show-secrets", "--stack", stack, "--non-interactive"])
                .WithWorkingDirectory(infraDirectory)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(limit.Token);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UsageException("--stack needs the pulumi CLI on PATH (https://www.pulumi.com/docs/install/); or pipe `pulumi stack output --json --show-secrets` into --outputs -");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UsageException($"`pulumi stack output` did not answer within {PulumiTimeout.TotalSeconds:0} s");
        }

        if (result.ExitCode != 0)
        {
            throw new UsageException($"`pulumi stack output --stack {stack}` failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }
}

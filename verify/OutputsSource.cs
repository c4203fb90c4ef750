using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify;

/// <summary>Where the topology's outputs come from: a file, standard input, or a Pulumi stack.</summary>
public static class OutputsSource
{
    /// <summary>The largest outputs document read: a few regions' certificates and keys take tens of KiB.</summary>
    public const int MaximumCharacters = 16 * 1024 * 1024;

    private static readonly TimeSpan PulumiTimeout = TimeSpan.FromSeconds(120);
    private static readonly string TooLarge = $"is larger than {MaximumCharacters / (1024 * 1024)} MiB, so it is not an outputs document; give the file `pulumi stack output --json --show-secrets` or `sandbox up` wrote";

    /// <summary>The <c>--outputs</c> value that reads standard input.</summary>
    public const string StandardInput = "-";

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
        else if (file == StandardInput)
        {
            json = await ReadStandardInputAsync(standardInput, cancellationToken);
            origin = "standard input";
        }
        else
        {
            json = await ReadFileAsync(file!, cancellationToken);
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

    private static async Task<string> ReadFileAsync(string file, CancellationToken cancellationToken)
    {
        if (Directory.Exists(file))
        {
            throw new UsageException($"--outputs {file} is a directory: give the outputs file inside it, e.g. --outputs {Path.Combine(file, "outputs.json")}");
        }

        // open(2) on a FIFO blocks until a writer appears and no token reaches a blocked open, so the file is read on a
        // pool thread and only the wait is cancelled: on SIGTERM verify stops waiting and exits, the open still blocked.
        try
        {
            return await Task.Run(() => ReadBounded(file), CancellationToken.None).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"--outputs: {file} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--outputs {file}: cannot read it ({e.Message}); give a file verify's user may read");
        }
    }

    private static string ReadBounded(string file)
    {
        using var reader = new StreamReader(file, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite });
        return ReadAtMost(reader) ?? throw new UsageException($"--outputs {file} {TooLarge}");
    }

    private static async Task<string> ReadStandardInputAsync(TextReader input, CancellationToken cancellationToken)
    {
        // Console.In reads synchronously whatever token it is given; as with a FIFO, only the wait is cancelled.
        var text = await Task.Run(() => ReadAtMost(input), CancellationToken.None).WaitAsync(cancellationToken);
        return text ?? throw new UsageException($"standard input {TooLarge}");
    }

    /// <summary>Reads <paramref name="reader"/> to its end, or returns <c>null</c> once it holds more than <see cref="MaximumCharacters"/>: /dev/zero never ends.</summary>
    private static string? ReadAtMost(TextReader reader)
    {
        var text = new System.Text.StringBuilder();
        var buffer = new char[81920];
        int read;
        while ((read = reader.Read(buffer)) > 0)
        {
            if (text.Length + read > MaximumCharacters)
            {
                return null;
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
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

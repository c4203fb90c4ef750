namespace CrossClusterIac.Tests.Verify;

/// <summary>SIGINT and SIGTERM stop verify with the shell's exit code and one line, even while it waits to read its input.</summary>
public sealed class InterruptionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-signal-").FullName;

    [Theory]
    [InlineData(Signals.Terminate, 143, "SIGTERM")]
    [InlineData(Signals.Interrupt, 130, "SIGINT")]
    public async Task ASignalWhileWaitingOnAFifoWithNoWriterExitsAtOnceWithOneLine(int signal, int exitCode, string name)
    {
        var fifo = Path.Combine(_directory, "outputs.json");
        Signals.MakeFifo(fifo);
        using var verify = VerifyProcess.Start(["--outputs", fifo]);
        await UntilBlockedOpeningAFifoAsync(verify);

        verify.Signal(signal);

        Assert.Equal(exitCode, await verify.ExitCodeAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal($"verify: interrupted by {name}; nothing was written", verify.Error.Trim());
        Assert.Empty(verify.Output);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A thread-pool thread sleeping in the kernel's fifo open (wchan wait_for_partner) means verify got past its
    // signal registration and is blocked in open(2): the state the signal must get it out of.
    private static async Task UntilBlockedOpeningAFifoAsync(VerifyProcess verify)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Directory.EnumerateDirectories($"/proc/{verify.Id}/task").Any(task =>
            Read(Path.Combine(task, "comm")).StartsWith(".NET TP Worker", StringComparison.Ordinal) && Read(Path.Combine(task, "wchan")) == "wait_for_partner"))
        {
            Assert.False(verify.HasExited, $"verify exited early: {verify.Error}");
            Assert.True(DateTime.UtcNow < deadline, "verify never blocked opening the FIFO");
            await Task.Delay(20);
        }
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

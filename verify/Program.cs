using CrossClusterIac.Verify;

using var interruption = ConsoleInterruption.Register();
try
{
    return await VerifyCli.InvokeAsync(args, Console.In, Console.Out, Console.Error, interruption.Token);
}
catch (Exception e) when (interruption.ExitCode is { } exitCode)
{
    // Cancelled by SIGINT or SIGTERM: the run removed its probe rows on the way out (VerifyRunner), and says so.
    await Console.Error.WriteLineAsync($"verify: interrupted by {interruption.SignalName}; {(e is VerifyInterruptedException run ? run.ProbeRows : "nothing was written")}");
    return exitCode;
}

using CrossClusterIac.Dr;
using CrossClusterIac.Verify;

using var interruption = ConsoleInterruption.Register();
var exitCode = await DrCli.InvokeAsync(args, Console.Out, Console.Error, interruption.Token);
return interruption.ExitCode ?? exitCode;

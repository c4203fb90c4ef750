using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify;

using var interruption = ConsoleInterruption.Register();
var exitCode = await SandboxCli.InvokeAsync(args, Console.Out, Console.Error, interruption.Token);
return interruption.ExitCode ?? exitCode;

using CrossClusterIac.Sandbox;

return await SandboxCli.InvokeAsync(args, Console.Out, Console.Error);

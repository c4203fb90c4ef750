using CrossClusterIac.Verify;

return await VerifyCli.InvokeAsync(args, Console.In, Console.Out, Console.Error);

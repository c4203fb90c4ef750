using CrossClusterIac.Render;

return await RenderCli.InvokeAsync(args, Console.Out, Console.Error);

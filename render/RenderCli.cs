using System.CommandLine;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Render;

/// <summary>The <c>render</c> command line: every manifest of every region, without Pulumi.</summary>
public static class RenderCli
{
    /// <summary>Exit code for a bad config, a missing file or bad usage.</summary>
    public const int UsageExitCode = 2;

    private static readonly Option<FileInfo> StackFileOption = new("--stack-file", "-f")
    {
        Description = $"A Pulumi stack file (Pulumi.<stack>.yaml) whose '{TopologyConfigLoader.ConfigKey}' key holds the topology.",
        Required = true,
    };

    private static readonly Option<DirectoryInfo?> OutOption = new("--out", "-o")
    {
        Description = "Write one <region>.yaml per region into this directory instead of printing to standard output.",
    };

    private static readonly Option<bool> IncludeSecretsOption = new("--include-secrets")
    {
        Description = "Also render the certificate Secrets, from a PKI freshly issued for this run; files are written 0600. Without it they are listed, not rendered.",
    };

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("""
            Prints every Kubernetes manifest of every region of a topology as multi-document YAML: the CNPG Clusters,
            Poolers, ObjectStores and ScheduledBackups, the exposure Services and the cross-region Service twins with
            their EndpointSlices. For review or GitOps; `pulumi up` applies the same objects.
            """)
        {
            StackFileOption, OutOption, IncludeSecretsOption,
        };
        root.SetAction(parsed => Render(parsed, output, error));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"render: {problem.Message}");
            }

            await error.WriteLineAsync("Run `render --help` for usage.");
            return UsageExitCode;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static int Render(ParseResult parsed, TextWriter output, TextWriter error)
    {
        var stackFile = parsed.GetValue(StackFileOption)!;
        TopologyConfig topology;
        try
        {
            topology = TopologyConfigLoader.FromStackFile(stackFile.FullName);
        }
        catch (TopologyConfigException e)
        {
            error.WriteLine($"render: {stackFile.FullName}: {e.Message}");
            return UsageExitCode;
        }

        var plan = PkiPlan.For(topology);
        Func<SecretMaterial, string>? material = null;
        if (parsed.GetValue(IncludeSecretsOption))
        {
            material = CertificateIssuer.Issue(plan).Material;
        }

        var directory = parsed.GetValue(OutOption);
        directory?.Create();
        foreach (var region in TopologyManifests.For(topology, plan))
        {
            var config = topology.Regions.Single(r => r.Name == region.Region);
            var discoveredPeer = TopologyManifests.PeerOf(topology, config) is { Exposure.DiscoversAddress: true } peer ? peer.Name : null;
            var yaml = ManifestYaml.Region(region, config.KubeContext!, material, discoveredPeer);
            if (directory is null)
            {
                output.Write(yaml);
            }
            else
            {
                var path = Path.Combine(directory.FullName, $"{region.Region}.yaml");
                if (material is null)
                {
                    File.WriteAllText(path, yaml);
                }
                else
                {
                    SecretFile.Write(path, yaml);
                }

                output.WriteLine(path);
            }
        }

        return 0;
    }
}

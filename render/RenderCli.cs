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

    private static readonly Option<string[]> AddressOption = new("--address")
    {
        Description = "A region's address for the twins that reach it: REGION=ADDRESS for its rw and pooler services, or REGION.rw=ADDRESS / REGION.pooler=ADDRESS for one (a LoadBalancer gives each its own). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<bool> ResolveOption = new("--resolve")
    {
        Description = "Read the addresses not given with --address from the clusters with kubectl, as `pulumi up` does: a NodePort region's first node InternalIP, a LoadBalancer Service's status.",
    };

    private static readonly Option<string?> PrimaryOption = new("--primary")
    {
        Description = "Render with primaryRegion set to this region: a switchover's completion, or a failover.",
    };

    private static readonly Option<string?> SwitchoverToOption = new("--switchover-to")
    {
        Description = "Render a switchover to this region: phase 1 (demote), or phase 2 with --promotion-token-file.",
    };

    private static readonly Option<FileInfo?> PromotionTokenFileOption = new("--promotion-token-file")
    {
        Description = "A file holding the old primary's demotion token ('-' for standard input): phase 2 of --switchover-to.",
    };

    private static readonly Option<string?> RebuildOption = new("--rebuild")
    {
        Description = "Render with this replica region's Cluster rebuilt, as dr rejoin's pulumi up --replace sends it.",
    };

    // A demotion token is a few hundred bytes of base64.
    private const int MaxTokenBytes = 4096;

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("""
            Prints every Kubernetes manifest of every region of a topology as multi-document YAML: the CNPG Clusters,
            Poolers, ObjectStores and ScheduledBackups, the exposure Services and the cross-region Service twins with
            their EndpointSlices (or ExternalName twins). For review or GitOps; `pulumi up` applies the same objects.
            Addresses the cluster assigns (a NodePort region's 'auto', a LoadBalancer's) come from --address or --resolve.
            """)
        {
            StackFileOption, OutOption, IncludeSecretsOption, AddressOption, ResolveOption,
            PrimaryOption, SwitchoverToOption, PromotionTokenFileOption, RebuildOption,
        };
        root.SetAction((parsed, cancellationToken) => RenderAsync(parsed, output, error, cancellationToken));
        root.Subcommands.Add(OperationsCommand(output));

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

    // The lifecycle model's table of every operation (docs/operations.md is its output for 3 regions, streaming).
    private static Command OperationsCommand(TextWriter output)
    {
        var regions = new Option<int>("--regions")
        {
            Description = $"How many regions (2 to {Topology.Lifecycle.OperationCatalogue.RegionNames.Count}).",
            DefaultValueFactory = _ => 3,
        };
        regions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 5)
            {
                result.AddError($"--regions: give 2 to {Topology.Lifecycle.OperationCatalogue.RegionNames.Count}, e.g. --regions 3.");
            }
        });
        var mode = new Option<ReplicationMode>("--mode") { Description = "replication.mode: Streaming or Archive.", DefaultValueFactory = _ => ReplicationMode.Streaming };
        var command = new Command("operations", """
            Prints, as a Markdown table, what each day-two operation does to a topology of that size: per update, the
            resources Pulumi creates, updates, replaces and deletes, the processes CNPG tells, and what is unavailable
            meanwhile, as the lifecycle model judges it from the manifests this program renders.
            """)
        {
            regions, mode,
        };
        command.SetAction(async (parsed, _) =>
        {
            await output.WriteAsync(Topology.Lifecycle.OperationTable.Markdown(parsed.GetValue(regions), parsed.GetValue(mode)));
            return 0;
        });
        return command;
    }

    // The stack's topology in the phase the options ask for, validated again as the program validates it.
    private static (TopologyConfig Topology, string? Rebuild, IReadOnlyList<string> Problems) Phase(TopologyConfig topology, ParseResult parsed)
    {
        var problems = new List<string>();
        var tokenFile = parsed.GetValue(PromotionTokenFileOption);
        var to = parsed.GetValue(SwitchoverToOption);
        string? token = null;
        if (tokenFile is not null && to is null)
        {
            problems.Add("--promotion-token-file: the token promotes a switchover's target; give --switchover-to too.");
        }
        else if (tokenFile is not null)
        {
            try
            {
                token = ReadToken(tokenFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"--promotion-token-file {tokenFile.FullName}: {e.Message}");
            }
        }

        var phase = topology with
        {
            PrimaryRegion = parsed.GetValue(PrimaryOption) ?? topology.PrimaryRegion,
            Switchover = to is null ? topology.Switchover : new SwitchoverConfig { To = to, PromotionToken = token },
        };
        problems.AddRange(TopologyValidator.Validate(phase).Select(p => $"{Option(p.Key)}: {p.Message}"));
        var rebuild = parsed.GetValue(RebuildOption);
        if (rebuild is not null && problems.Count == 0 && RebuildTarget.Problem(phase, rebuild) is { } rebuildProblem)
        {
            problems.Add($"--rebuild: {rebuildProblem}.");
        }

        return (phase, rebuild, problems);

        // A problem the phase options caused names the option; any other, the stack file's key.
        string Option(string key) => key switch
        {
            "topology.primaryRegion" when parsed.GetValue(PrimaryOption) is not null => "--primary",
            "topology.switchover.to" when to is not null => "--switchover-to",
            "topology.switchover.promotionToken" when tokenFile is not null => "--promotion-token-file",
            _ => key,
        };
    }

    private static string ReadToken(FileInfo file)
    {
        using var stream = file.Name == "-" ? Console.OpenStandardInput() : file.OpenRead();
        var bytes = BoundedRead.AtMost(stream, MaxTokenBytes)
            ?? throw new IOException($"longer than {MaxTokenBytes} bytes; a demotion token is a few hundred");
        return System.Text.Encoding.ASCII.GetString(bytes).Trim();
    }

    private static async Task<int> RenderAsync(ParseResult parsed, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var stackFile = parsed.GetValue(StackFileOption)!;
        TopologyConfig topology;
        try
        {
            topology = TopologyConfigLoader.FromStackFile(stackFile.FullName);
        }
        catch (TopologyConfigException e)
        {
            await error.WriteLineAsync($"render: {stackFile.FullName}: {e.Message}");
            return UsageExitCode;
        }

        var (phase, rebuild, phaseProblems) = Phase(topology, parsed);
        if (phaseProblems.Count > 0)
        {
            foreach (var problem in phaseProblems)
            {
                await error.WriteLineAsync($"render: {problem}");
            }

            return UsageExitCode;
        }

        topology = phase;
        var plan = PkiPlan.For(topology);
        var regions = TopologyManifests.For(topology, plan, rebuild);
        var addresses = await RenderAddresses.CollectAsync(topology, regions, parsed.GetValue(AddressOption) ?? [], parsed.GetValue(ResolveOption), cancellationToken);
        var manifests = new List<(RegionManifests Region, IReadOnlyList<Manifest> Objects)>();
        foreach (var region in regions)
        {
            try
            {
                manifests.Add((region, addresses.Problems.Count == 0 ? region.All(addresses.Of).ToList() : []));
            }
            catch (ExposureAddressException e)
            {
                addresses.Problems.Add(e.Message);
            }
        }

        if (addresses.Problems.Count > 0)
        {
            foreach (var problem in addresses.Problems)
            {
                await error.WriteLineAsync($"render: {problem}");
            }

            return UsageExitCode;
        }

        var directory = parsed.GetValue(OutOption);
        if (directory is not null && OutputDirectory.Problem(directory.FullName) is { } outProblem)
        {
            await error.WriteLineAsync($"render: --out {directory.FullName}: {outProblem}");
            return UsageExitCode;
        }

        Func<SecretMaterial, string>? material = null;
        Func<CertificateSpec, DateTimeOffset>? notAfter = null;
        if (parsed.GetValue(IncludeSecretsOption))
        {
            var pki = CertificateIssuer.Issue(plan);
            material = pki.Material;
            notAfter = spec => new DateTimeOffset(pki[spec].Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }

        // Everything is rendered before anything is written, so a failure leaves no partial output behind.
        var files = manifests
            .Select(m => (m.Region.Region, Yaml: ManifestYaml.Region(m.Region, m.Objects, topology.Regions.Single(r => r.Name == m.Region.Region).KubeContext!, material, notAfter)))
            .ToList();
        if (directory is null)
        {
            foreach (var (_, yaml) in files)
            {
                await output.WriteAsync(yaml);
            }

            return 0;
        }

        try
        {
            foreach (var path in OutputDirectory.Write(directory.FullName, files.Select(f => ($"{f.Region}.yaml", f.Yaml)).ToList(), secret: material is not null))
            {
                await output.WriteLineAsync(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"render: --out {directory.FullName}: cannot write the manifests: {e.Message} Nothing was written; check the directory's permissions and free space.");
            return UsageExitCode;
        }

        return 0;
    }
}

using System.Text.Json;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Brings the topology up on this machine with real PostgreSQL and PgBouncer processes, and down again. A start
/// that fails or is cancelled stops whatever it had started and removes its directory.
/// </summary>
public static class LocalSandbox
{
    /// <summary>File the outputs are written to inside the sandbox directory.</summary>
    public const string OutputsFileName = "outputs.json";

    /// <summary>Starts every region and writes the outputs file.</summary>
    /// <exception cref="SandboxException">The machine lacks something, the directory is taken, or a server failed to start.</exception>
    public static async Task<RunningSandbox> UpAsync(SandboxOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var problems = SandboxTopology.Problems(options.Regions);
        if (problems.Count > 0)
        {
            throw new SandboxException(string.Join(Environment.NewLine, problems), SandboxException.UsageExitCode);
        }

        var binaries = ServerBinaries.Locate();
        var user = ServerUser.Current();
        var directory = Path.GetFullPath(options.Directory);
        Claim(directory);
        try
        {
            return await StartAsync(directory, options, binaries, user, progress ?? new Progress<string>(), cancellationToken);
        }
        catch
        {
            progress?.Report("Start failed; stopping what was started");
            await DownAsync(directory);
            throw;
        }
    }

    /// <summary>Stops every process of the sandbox in <paramref name="directory"/> and removes it. Returns whether one was there.</summary>
    public static async Task<bool> DownAsync(string directory)
    {
        directory = Path.GetFullPath(directory);
        var state = SandboxState.Read(directory);
        if (state is null)
        {
            if (System.IO.Directory.Exists(directory) && !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                System.IO.Directory.Delete(directory);
            }

            return false;
        }

        var binaries = ServerBinaries.Locate();
        var user = ServerUser.Current();
        await Task.WhenAll(state.Regions.Select(async region =>
        {
            await new PgBouncerServer(region, binaries, user).StopAsync();
            await new PostgresServer(region, binaries, user).StopAsync();
        }));
        System.IO.Directory.Delete(directory, recursive: true);
        return true;
    }

    /// <summary>The state of the sandbox in <paramref name="directory"/>, or <c>null</c> when none is there.</summary>
    public static IReadOnlyList<RegionStatus>? Status(string directory)
    {
        var state = SandboxState.Read(Path.GetFullPath(directory));
        if (state is null)
        {
            return null;
        }

        var binaries = ServerBinaries.Locate();
        var user = ServerUser.Current();
        return state.Regions.Select(r => new RegionStatus(
            r.Name,
            r.Role,
            r.InstancePort,
            new PostgresServer(r, binaries, user).IsRunning,
            r.PoolerPort,
            new PgBouncerServer(r, binaries, user).IsRunning)).ToList();
    }

    private static void Claim(string directory)
    {
        if (SandboxState.Read(directory) is not null)
        {
            throw new SandboxException($"A sandbox already runs in {directory}. Stop it with `sandbox down --dir {directory}` or choose another --dir.", SandboxException.UsageExitCode);
        }

        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new SandboxException($"{directory} exists and is not an empty sandbox directory. Remove it or choose another --dir.", SandboxException.UsageExitCode);
        }

        System.IO.Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            // Traversable by the server account; every secret below it is 0600.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    private static async Task<RunningSandbox> StartAsync(string directory, SandboxOptions options, ServerBinaries binaries, ServerUser user, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var names = options.Regions;
        var ports = FreePorts.Take(names.Count * 2);
        var regions = names.Select((name, i) => new SandboxRegion(
            name,
            i == 0 ? RegionRole.Primary : RegionRole.Replica,
            ports[2 * i],
            ports[(2 * i) + 1],
            Path.Combine(directory, name))).ToList();
        var state = new SandboxState { PrimaryRegion = regions[0].Name, Regions = regions };
        state.Write(directory);

        progress.Report($"Issuing certificates for {string.Join(", ", names)}");
        var topology = SandboxTopology.For(regions);
        var pki = CertificateIssuer.Issue(PkiPlan.For(topology));
        var administrator = AdministratorCertificate.Write(pki, topology, directory);

        // The manifests the Pulumi program would declare for this topology, realised the way CNPG would.
        var realisations = TopologyManifests.For(topology, pki.Plan).Select(manifests => Realise(Amended(manifests, options.Amend), pki, regions, user)).ToList();
        foreach (var (region, realisation) in regions.Zip(realisations))
        {
            System.IO.Directory.CreateDirectory(region.Directory);
            RealisedFiles.WriteController(realisation);
            RealisedFiles.WritePooler(region, realisation.Pooler, regions);
            if (realisation.AppSecret is { } appSecret)
            {
                SecretFile.Write(region.Layout.AppSecret, JsonSerializer.Serialize(ManifestDocument.ToObject(appSecret), TopologyOutputsJson.Options));
            }

            await user.TakeOwnershipAsync(region.Directory, cancellationToken);
        }

        var primary = regions[0];
        progress.Report($"Creating the primary in region {primary.Name}");
        var primaryServer = new PostgresServer(primary, binaries, user);
        await primaryServer.InitializeAsync(cancellationToken);
        RealisedFiles.WriteInstance(primary, realisations[0].Instance, regions);
        await user.TakeOwnershipAsync(primary.Directory, cancellationToken);
        await primaryServer.RunSqlAsync([.. realisations[0].Instance.Initdb, .. realisations[0].Instance.PrimarySetup], cancellationToken);
        await primaryServer.StartAsync(cancellationToken);

        var replicas = regions.Skip(1).ToList();
        if (replicas.Count > 0)
        {
            progress.Report($"Cloning the primary over mTLS into {string.Join(", ", replicas.Select(r => r.Name))}; starting poolers");
        }

        await Task.WhenAll(
            replicas.Select(async replica =>
            {
                var server = new PostgresServer(replica, binaries, user);
                await server.CloneAsync(SandboxOnly.BootstrapSource(primary, replica), cancellationToken);
                RealisedFiles.WriteInstance(replica, realisations[regions.IndexOf(replica)].Instance, regions);
                await user.TakeOwnershipAsync(replica.Directory, cancellationToken);
                await server.StartAsync(cancellationToken);
            }).Concat(regions.Select(r => new PgBouncerServer(r, binaries, user).StartAsync(cancellationToken))));

        var outputs = SandboxOutputs.For(topology, pki, regions);
        var outputsPath = Path.Combine(directory, OutputsFileName);
        SecretFile.Write(outputsPath, TopologyOutputsJson.Serialize(outputs));
        progress.Report($"Sandbox up: {regions.Count} regions, outputs in {outputsPath}");
        return new RunningSandbox(directory, state, outputs, outputsPath, administrator, binaries, user);
    }

    private static RegionManifests Amended(RegionManifests manifests, Func<Manifest, Manifest>? amend) => amend is null
        ? manifests
        : manifests with
        {
            Secrets = manifests.Secrets.Select(amend).ToList(),
            Cluster = amend(manifests.Cluster),
            Pooler = amend(manifests.Pooler),
        };

    private static RegionRealisation Realise(RegionManifests manifests, IssuedPki pki, IReadOnlyList<SandboxRegion> regions, ServerUser user)
    {
        var region = regions.Single(r => r.Name == manifests.Region);
        try
        {
            return RegionRealisation.For(manifests, pki.Material, region.Layout.Controller, user.AccountName, ApplicationSecret.GeneratePassword());
        }
        catch (CnpgRealisationException e)
        {
            throw new SandboxException($"region {region.Name}: CNPG would not realise the manifests: {e.Message}", SandboxException.UsageExitCode, e);
        }
    }

    /// <summary>The cluster name of a region, as outputs and server certificates spell it.</summary>
    internal static ClusterNames Names(string region) => new(region, new TopologyConfig().Namespace.Name);
}

/// <summary>Whether a region's servers run.</summary>
/// <param name="Region">Region name.</param>
/// <param name="Role">Primary or replica.</param>
/// <param name="InstancePort">PostgreSQL's port.</param>
/// <param name="InstanceRunning">Whether PostgreSQL runs.</param>
/// <param name="PoolerPort">PgBouncer's port.</param>
/// <param name="PoolerRunning">Whether PgBouncer runs.</param>
public sealed record RegionStatus(string Region, RegionRole Role, int InstancePort, bool InstanceRunning, int PoolerPort, bool PoolerRunning);

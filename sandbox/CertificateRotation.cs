using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Certificate rotation on the running sandbox, through the plan and the renewal a <c>pulumi up</c> would run
/// (<see cref="CertificateRenewal"/>): each update's Secrets are written where CNPG writes them, and each server is
/// reloaded when CNPG would tell it of the change (<see cref="ProcessWatch"/>): PostgreSQL with <c>pg_ctl reload</c>
/// (pkg/reconciler/instance/certificate RefreshSecrets, then Instance.Reload), PgBouncer with a reload of its files (see
/// <see cref="PgBouncerServer.ReloadAsync"/>).
/// A root rotation runs its phases in order, each recorded in <c>sandbox.json</c> before it is applied, so running it
/// again resumes; a phase is applied to every server before the next begins.
/// </summary>
internal sealed class CertificateRotation(ProcessLedger ledger, ServerBinaries binaries, ServerUser user)
{
    // How long a new session may take to show the postmaster's reload (it is done before the postmaster forks again).
    private static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(10);

    private SandboxState State => ledger.State;

    private string OutputsPath => Path.Combine(ledger.Directory, LocalSandbox.OutputsFileName);

    /// <summary>
    /// Re-issues <paramref name="tier"/>: leaves under the current intermediates; intermediates and so every leaf; or,
    /// for the root, a new root key through the phases trustNext, signWithNext and completion. <paramref name="pause"/>
    /// separates a root rotation's phases, the time clients get to take up each phase's outputs.
    /// </summary>
    public async Task<RotationReport> RotateAsync(CertificateTier tier, TimeSpan pause, IProgress<string> progress, CancellationToken cancellationToken)
    {
        if (State.Change is { } change)
        {
            throw new SandboxException($"a {(change.Failover ? "failover" : "switchover")} to {change.To} is under way; finish it with `sandbox {(change.Failover ? "failover" : "switchover")} --to {change.To}` first.", SandboxException.UsageExitCode);
        }

        if (tier != CertificateTier.Root)
        {
            if (State.Pki.RootRotation is { } phase)
            {
                throw new SandboxException($"a root rotation is under way (phase {Wire(phase)}); finish it with `sandbox rotate --tier root` first.", SandboxException.UsageExitCode);
            }

            return new RotationReport(tier, [await ApplyAsync(State.Pki, tier, progress, cancellationToken)], State.Pki.RootGeneration);
        }

        var steps = new List<RotationStep>();
        var generation = State.Pki.RootGeneration;
        SandboxPki[] sequence = [new(generation, RootRotationPhase.TrustNext), new(generation, RootRotationPhase.SignWithNext), new(generation + 1)];

        // Resumed at the phase recorded, applied again: it may have stopped half-way, and its renewal re-issues nothing
        // it already issued.
        var phases = sequence.SkipWhile(p => State.Pki.RootRotation is { } recorded && p.RootRotation != recorded).ToList();
        foreach (var phase in phases)
        {
            if (steps.Count > 0)
            {
                await Task.Delay(pause, cancellationToken);
            }

            ledger.Update(s => s with { Pki = phase });
            steps.Add(await ApplyAsync(phase, null, progress, cancellationToken));
        }

        return new RotationReport(tier, steps, State.Pki.RootGeneration);
    }

    /// <summary>
    /// Re-issues the leaf <paramref name="id"/> from its issuer and with its key, valid for <paramref name="validity"/>
    /// instead of its plan's validity, and applies it as the update that issued it would: a certificate that has less
    /// time left than its renewal window when the validity is shorter than the window, without waiting for it to age.
    /// The next renewal finds it inside its window and re-issues it with the plan's validity.
    /// </summary>
    public async Task<RotationStep> IssueShortLivedAsync(string id, TimeSpan validity, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var topology = SandboxTopology.For(State.Regions, State.Pki, replication: State.Replication, parameters: State.Parameters);
        var plan = PkiPlan.For(topology);
        var spec = plan.Certificates.SingleOrDefault(c => c.Id == id && c.Tier == CertificateTier.Leaf)
            ?? throw new SandboxException($"'{id}' is not a leaf certificate of the sandbox; name one of {string.Join(", ", plan.Certificates.Where(c => c.Tier == CertificateTier.Leaf).Select(c => c.Id))}.", SandboxException.UsageExitCode);
        var previous = IssuedCertificates.Read(ledger.Directory, plan);
        var shortLived = CertificateIssuer.Issue(spec with { Validity = validity }, plan.KeyAlgorithm, previous.Find(spec.IssuerId!), DateTimeOffset.UtcNow, previous[spec].PrivateKeyPem);
        var stored = previous.Export().ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        stored[id] = new StoredCertificate(shortLived.CertificatePem, shortLived.PrivateKeyPem, shortLived.ChainPem);
        progress.Report($"re-issued {id}, valid until {shortLived.Certificate.NotAfter.ToUniversalTime():u}");
        return await ApplyIssuedAsync($"{id} short-lived", topology, IssuedPki.Import(plan, stored), [id], progress, cancellationToken);
    }

    private async Task<RotationStep> ApplyAsync(SandboxPki phase, CertificateTier? force, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var name = phase.RootRotation is { } rotation ? Wire(rotation) : force is { } tier ? $"{tier.ToString().ToLowerInvariant()} renewal" : $"root generation {phase.RootGeneration}";
        var topology = SandboxTopology.For(State.Regions, phase, replication: State.Replication, parameters: State.Parameters);
        var plan = PkiPlan.For(topology);
        var renewed = CertificateRenewal.Renew(plan, IssuedCertificates.Read(ledger.Directory, plan), DateTimeOffset.UtcNow, force);
        progress.Report($"{name}: re-issued {(renewed.Reissued.Count == 0 ? "nothing" : string.Join(", ", renewed.Reissued))}; trust bundles hold {string.Join(" and ", plan.TrustedRoots.Select(r => r.CommonName))}");
        return await ApplyIssuedAsync(name, topology, renewed.Pki, renewed.Reissued, progress, cancellationToken);
    }

    // The stack's state, the outputs and every Secret written from pki, and each server told as CNPG would tell it.
    private async Task<RotationStep> ApplyIssuedAsync(string name, TopologyConfig topology, IssuedPki pki, IReadOnlyList<string> reissued, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var plan = pki.Plan;

        // The stack's state first: an interruption from here on is repaired by running the same rotation again.
        IssuedCertificates.Write(ledger.Directory, pki);
        AdministratorCertificate.Write(pki, topology, ledger.Directory);
        SecretFile.Write(OutputsPath, TopologyOutputsJson.Serialize(SandboxOutputs.For(topology, pki, State.Regions, State.Links, State.Fenced)));

        // Each process hears of the update only as CNPG tells it (ProcessWatch): PostgreSQL when a Secret its Cluster
        // uses changes, PgBouncer on an event of its Pooler. Each is recorded once told, so running the rotation again
        // tells only the processes an interruption left untold.
        var realised = LocalSandbox.Realise(topology, pki, State.Regions, user);
        var sql = new AdministratorSql(ledger.Directory, TopologyOutputsJson.Parse(await File.ReadAllTextAsync(OutputsPath, cancellationToken)), name => new PostgresServer(State.Regions.Single(r => r.Name == name), binaries, user, ledger).IsRunning);
        var reloads = new List<string>();
        foreach (var region in State.Regions)
        {
            var realisation = realised[region.Name];
            var told = RealisedFiles.ReadWatched(region) ?? new ProcessWatch(string.Empty, string.Empty);
            if (told.Instance != realisation.Watch.Instance)
            {
                RealisedFiles.WriteInstanceCertificates(realisation);
                await user.TakeOwnershipAsync(region.Directory, cancellationToken);
                await ReloadPostgresAsync(region, sql, cancellationToken);
                told = told with { Instance = realisation.Watch.Instance };
                RealisedFiles.WriteWatched(region, told);
                reloads.Add($"postgresql {region.Name}");
            }

            if (told.Pooler != realisation.Watch.Pooler)
            {
                RealisedFiles.WritePoolerCertificates(realisation);
                await user.TakeOwnershipAsync(region.Directory, cancellationToken);
                await new PgBouncerServer(region, binaries, user, ledger).ReloadAsync(cancellationToken);
                RealisedFiles.WriteWatched(region, told with { Pooler = realisation.Watch.Pooler });
                reloads.Add($"pgbouncer {region.Name}");
            }
        }

        progress.Report($"{name}: applied; {(reloads.Count == 0 ? "no Secret a server uses changed, nothing reloaded" : $"reloaded {string.Join(", ", reloads)}")}");
        return new RotationStep(
            name,
            reissued,
            reissued.ToDictionary(id => id, id => pki[plan[id]].Certificate.SerialNumber, StringComparer.Ordinal),
            [.. plan.TrustedRoots.Select(r => r.CommonName)])
        {
            Reloaded = reloads,
        };
    }

    // A phase as pki.rootRotation spells it.
    private static string Wire(RootRotationPhase phase) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(phase.ToString());

    // pg_conf_load_time() of a new session is the postmaster's last reload, which re-reads the SSL files in the same
    // SIGHUP handling (PostgreSQL 15 src/backend/postmaster/postmaster.c SIGHUP_handler: ProcessConfigFile, then
    // secure_initialize(false)); a session started after it has changed is served with the new files.
    private async Task ReloadPostgresAsync(SandboxRegion region, AdministratorSql sql, CancellationToken cancellationToken)
    {
        var server = new PostgresServer(region, binaries, user, ledger);
        if (!server.IsRunning)
        {
            return;
        }

        const string LoadTime = "SELECT pg_catalog.pg_conf_load_time()";
        var before = await sql.ScalarAsync<DateTime>(region.Name, LoadTime, cancellationToken);
        await server.ReloadAsync(cancellationToken);
        var deadline = DateTime.UtcNow + ReloadWait;
        while (await sql.ScalarAsync<DateTime>(region.Name, LoadTime, cancellationToken) <= before)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"PostgreSQL in region {region.Name} did not reload within {ReloadWait.TotalSeconds:0} s. See {region.Layout.PostgresLog}.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}

/// <summary>What a rotation did.</summary>
/// <param name="Tier">The tier asked for.</param>
/// <param name="Steps">Each update applied, in order: one, or a root rotation's phases.</param>
/// <param name="RootGeneration">The root generation afterwards.</param>
public sealed record RotationReport(CertificateTier Tier, IReadOnlyList<RotationStep> Steps, int RootGeneration);

/// <summary>One update of a rotation.</summary>
/// <param name="Name">The phase or renewal it was.</param>
/// <param name="Reissued">Plan ids of the certificates issued anew.</param>
/// <param name="Serials">The new serial of each, by plan id (hexadecimal, as X.509 tools print it).</param>
/// <param name="TrustedRoots">The roots every trust bundle held afterwards.</param>
public sealed record RotationStep(string Name, IReadOnlyList<string> Reissued, IReadOnlyDictionary<string, string> Serials, IReadOnlyList<string> TrustedRoots)
{
    /// <summary>The servers CNPG told of the update and so reloaded, as <c>postgresql eu</c> or <c>pgbouncer us</c>.</summary>
    public IReadOnlyList<string> Reloaded { get; init; } = [];
}

using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using CrossClusterIac.Verify.Reporting;
using Npgsql;

namespace CrossClusterIac.Tests.Verify;

/// <summary>Each fault drill breaks a sandbox of its own and checks verify's verdict and diagnosis.</summary>
public sealed class FaultTests
{
    // 5 s: at 3 s a login through a region's pooler under a loaded CI machine (test assemblies side by side, load 8 on two
    // cores) once took longer than the limit, and the drill read as that endpoint not answering.
    private static readonly VerifyOptions Options = new() { Timeout = TimeSpan.FromSeconds(5), Rows = 100 };

    // Every check connects and then waits, each within the timeout; the run may not take longer than that.
    private static readonly TimeSpan NoHang = (Options.Timeout * 3) + TimeSpan.FromSeconds(5);

    [Fact]
    public async Task StoppedReplicaIsDiagnosedAsNotStreaming()
    {
        var report = await WithFaultAsync(sandbox => sandbox.StopInstanceAsync("us"));

        var streaming = Failed(report, "streams-over-mtls", "us");
        Assert.Contains("not streaming", streaming.Diagnosis, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL down", Failed(report, "tls-instance", "us").Diagnosis, StringComparison.Ordinal);

        // Only its own check fails for the endpoint: which roots the others present is still known.
        var generations = Result(report, "certificate-generations", null);
        Assert.Equal(CheckStatus.Passed, generations.Status);
        Assert.Contains("no handshake with pg-us-rw", generations.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedPoolerIsDiagnosedAsPgBouncerDownUnderOneHeadline()
    {
        string? next = null;
        string? directory = null;
        var report = await WithFaultAsync(sandbox => sandbox.StopPoolerAsync("eu"), then: async sandbox =>
        {
            // verify given the sandbox's outputs file, as a user runs it: its next command acts on that sandbox, not the default one.
            directory = sandbox.Directory;
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = await VerifyCli.InvokeAsync(["--outputs", sandbox.OutputsPath, "--timeout", "3", "--rows", "100"], TextReader.Null, output, error);
            Assert.True(exitCode == VerifyCli.CheckFailedExitCode, error.ToString());
            next = Assert.Single(ScreenText.Parse(output.ToString()).Headlines).Next;
        });

        AssertOneHeadline(report, "pg-eu-pooler-rw (PgBouncer) is down", "sandbox start eu --server pgbouncer");
        Assert.Equal($"sandbox start eu --server pgbouncer --dir {directory}", next);

        Assert.Contains("pg-eu-pooler-rw", Failed(report, "tls-pooler", "eu").Diagnosis, StringComparison.Ordinal);
        Assert.Contains("PgBouncer down", Failed(report, "tls-pooler", "eu").Diagnosis, StringComparison.Ordinal);
        Assert.Contains("PgBouncer down", Failed(report, "write-visible", "us").Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Result(report, "tls-instance", "eu").Status);
    }

    [Fact]
    public async Task PausedReplayIsDiagnosedAsPaused()
    {
        var report = await WithFaultAsync(async sandbox =>
        {
            await using var replica = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, "us");
            await new NpgsqlCommand("SELECT pg_wal_replay_pause()", replica).ExecuteNonQueryAsync();
        });

        Assert.Contains("WAL replay is paused on pg-us", Failed(report, "write-visible", "us").Diagnosis, StringComparison.Ordinal);
        Assert.Contains("WAL replay is paused on pg-us", Failed(report, "data-arrives-whole", "us").Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedPrimaryIsDiagnosedBehindItsPoolerUnderOneHeadlineThatAFenceTurnsIntoItsRejoin()
    {
        var report = await WithFaultAsync(sandbox => sandbox.StopInstanceAsync("eu"));

        AssertOneHeadline(report, "pg-eu is down", "sandbox start eu --server postgres");

        // A former primary a failover fenced is down the same way; the outputs mark it (as `sandbox failover` writes
        // them), and it comes back only rejoined, which `sandbox start` does.
        var fenced = report with { Outputs = report.Outputs! with { Regions = [.. report.Outputs.Regions.Select(r => r.Name == "eu" ? r with { Fenced = true } : r)] } };
        AssertOneHeadline(fenced, "pg-eu is fenced after a failover", "sandbox start eu");
        AssertOneHeadline(fenced with { SandboxDirectory = "/tmp/a sandbox" }, "pg-eu is fenced after a failover", "sandbox start eu --dir '/tmp/a sandbox'");

        Assert.Contains("PostgreSQL down", Failed(report, "recovery-role", "eu").Diagnosis, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL in region eu is down", Failed(report, "write-visible", "us").Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Result(report, "recovery-role", "us").Status);
    }

    [Fact]
    public async Task LagOverTheThresholdFailsTheWriteCheck()
    {
        var report = await WithFaultAsync(_ => Task.CompletedTask, Options with { MaxLag = TimeSpan.FromTicks(1) });

        Assert.Contains("over the threshold", Failed(report, "write-visible", "us").Diagnosis, StringComparison.Ordinal);
    }

    // Issue 8: the sandbox's behaviour follows from the manifests, so a wrong manifest fails verify here.
    [Fact]
    public async Task ReplicaWithoutConnectionParametersIsDiagnosedArchiveOnly()
    {
        var report = await WithFaultAsync(_ => Task.CompletedTask, amend: ManifestEdits.Cluster("pg-us", spec =>
        {
            foreach (var entry in ManifestEdits.Maps(spec["externalClusters"]))
            {
                entry.Remove("connectionParameters");
                entry.Remove("sslCert");
                entry.Remove("sslKey");
                entry.Remove("sslRootCert");
            }
        }));

        Assert.Contains("replica not streaming (archive only)", Failed(report, "streams-over-mtls", "us").Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Result(report, "tls-pooler", "eu").Status);
    }

    [Fact]
    public async Task PoolerLoginAsAppIsRefusedWithoutTheAppIdentLine()
    {
        var report = await WithFaultAsync(_ => Task.CompletedTask, amend: ManifestEdits.Cluster("pg-eu", spec =>
            Assert.True(ManifestEdits.List(ManifestEdits.Map(spec["postgresql"])["pg_ident"]).Remove($"crosscluster {RoleNames.Pooler} app"))));

        Assert.Contains("pg-eu-pooler-rw", Failed(report, "write-visible", "us").Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Failed, Result(report, "cross-region-client-from-us", "eu").Status);
        Assert.Equal(CheckStatus.Passed, Result(report, "tls-pooler", "eu").Status);
    }

    [Fact]
    public async Task AppPasswordIsAcceptedOverPlaintextWithoutTheRejectRule()
    {
        var report = await WithFaultAsync(_ => Task.CompletedTask, amend: ManifestEdits.Cluster("pg-eu", spec =>
            Assert.True(ManifestEdits.List(ManifestEdits.Map(spec["postgresql"])["pg_hba"]).Remove("host all all all reject"))));

        var refusal = Failed(report, "refuses-app-password", "eu");
        Assert.Contains("let app in with the app Secret's password over plaintext", refusal.Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Result(report, "refuses-app-password", "us").Status);
    }

    [Fact]
    public async Task AFrozenPoolerFailsWithinTheTimeoutNamingIt()
    {
        var (report, elapsed, sandbox) = await WithFrozenAsync("us", status => status.PgBouncer);
        await using (sandbox)
        {
            // Within the timeout, with only what a run does after its checks (settling, removing the probe rows): the
            // diagnosis' look at the endpoint started while the attempt was still pending, not after it failed, which
            // would have added the look's whole limit (EndpointLookTests observes that ordering without a clock).
            Assert.True(elapsed < Frozen.Timeout + LoadSlack + AfterChecks, $"verify took {elapsed.TotalSeconds:0.0} s with a timeout of {Frozen.Timeout.TotalSeconds} s");
            var tls = Failed(report, "tls-pooler", "us");
            Assert.True(tls.Duration < Frozen.Timeout + LoadSlack, $"the check took {tls.Duration.TotalSeconds:0.0} s, its diagnosis included");
            Assert.Contains($"pg-us-pooler-rw (127.0.0.1:{sandbox.Outputs.Regions.Single(r => r.Name == "us").Pooler.Port}) did not answer within 8 s: PgBouncer there accepts TCP but does not answer", tls.Diagnosis, StringComparison.Ordinal);
            Assert.Equal(CheckStatus.Passed, Result(report, "tls-pooler", "eu").Status);
        }
    }

    [Fact]
    public async Task AFrozenPrimaryFailsWithinTheTimeoutNamingItAndThePoolerWaitingOnIt()
    {
        var (report, elapsed, sandbox) = await WithFrozenAsync("eu", status => status.Postgres);
        await using (sandbox)
        {
            // The probe lease never opened, so no row can have been written and none is waited on to be removed.
            Assert.True(elapsed < Frozen.Timeout + LoadSlack + AfterChecks, $"verify took {elapsed.TotalSeconds:0.0} s with a timeout of {Frozen.Timeout.TotalSeconds} s");
            var eu = sandbox.Outputs.Regions.Single(r => r.Name == "eu");
            var tls = Failed(report, "tls-instance", "eu");
            Assert.True(tls.Duration < Frozen.Timeout + LoadSlack, $"the check took {tls.Duration.TotalSeconds:0.0} s, its diagnosis included");
            Assert.Contains($"pg-eu-rw (127.0.0.1:{eu.Instance.Port}) did not answer within 8 s: PostgreSQL there accepts TCP but does not answer", tls.Diagnosis, StringComparison.Ordinal);
            var pooler = Failed(report, "tls-pooler", "eu").Diagnosis;
            Assert.Contains("PgBouncer there answers, so it waits on its backend", pooler, StringComparison.Ordinal);
            Assert.Contains("PostgreSQL in region eu is stuck", pooler, StringComparison.Ordinal);
            Assert.DoesNotContain("too slow", pooler, StringComparison.Ordinal);
            Assert.DoesNotContain(report.Checks, c => c.Name == "leaves-no-probe-rows");
        }
    }

    [Fact]
    public async Task AReplicaStreamingWithAnotherRegionsCertificateIsDiagnosedAsSuch()
    {
        // pg-us's streaming_replica Secret filled with region eu's certificate and key: the primary trusts the shared
        // root, so the replica streams, under a certificate its own region did not issue.
        var report = await WithFaultAsync(_ => Task.CompletedTask, amend: ManifestEdits.Secret("pg-us-replication-tls", material =>
            material with { Certificate = material.Certificate with { Id = material.Certificate.Id.Replace("us-", "eu-", StringComparison.Ordinal) } }));

        var streaming = Failed(report, "streams-over-mtls", "us");
        Assert.Contains("replica pg-us streams with a certificate issued by /CN=CrossClusterIac eu client CA/O=CrossClusterIac (region eu's client CA)", streaming.Diagnosis, StringComparison.Ordinal);
    }

    // 8 s, so that a look's limit (a quarter of it, 2 s) exceeds what load adds to a check that meets its timeout: a
    // CI run at load 8 measured 0.7 s, where a 4 s timeout left 0.5 s between a right run and a look taken too late.
    private static readonly VerifyOptions Frozen = Options with { Timeout = TimeSpan.FromSeconds(8) };

    private static readonly TimeSpan LoadSlack = TimeSpan.FromSeconds(1.5);

    // What a run does after its checks: settling, removing the probe rows.
    private static readonly TimeSpan AfterChecks = TimeSpan.FromSeconds(1);

    // A server of the region stopped with SIGSTOP: its socket still completes TCP handshakes from the kernel's
    // backlog, but nothing answers. It is continued before the sandbox is handed back.
    private static async Task<(VerifyReport Report, TimeSpan Elapsed, RunningSandbox Sandbox)> WithFrozenAsync(string region, Func<RegionStatus, ServerStatus> server)
    {
        var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-fault-{Guid.NewGuid():N}") });
        try
        {
            var pid = server(LocalSandbox.Status(sandbox.Directory)!.Single(r => r.Region == region)).Pid!.Value;
            Signals.Send(pid, Signals.Stop);
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                return (await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(Frozen)), elapsed.Elapsed, sandbox);
            }
            finally
            {
                Signals.Send(pid, Signals.Continue);
            }
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    // then: what else the test does on the broken sandbox, after verify's run.
    private static async Task<VerifyReport> WithFaultAsync(Func<RunningSandbox, Task> fault, VerifyOptions? options = null, Func<Manifest, Manifest>? amend = null, Func<RunningSandbox, Task>? then = null)
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-fault-{Guid.NewGuid():N}"), Amend = amend });
        await fault(sandbox);

        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(options ?? Options));

        Assert.False(report.Passed);
        Assert.True(report.Duration < NoHang, $"verify took {report.Duration.TotalSeconds:0.0} s");
        if (then is not null)
        {
            await then(sandbox);
        }

        return report;
    }

    // One fault reads as one cause: a single headline naming it and the checks it stopped, with the command to run
    // next; the verdict names it; the screen keeps to 80 columns and 24 lines.
    private static void AssertOneHeadline(VerifyReport report, string cause, string next)
    {
        var screen = ScreenText.Of(report);
        var failed = report.Count(CheckStatus.Failed);
        Assert.True(screen.Headlines.Count == 1, string.Join('\n', report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region} {c.Cause}: {c.Detail} → {c.Diagnosis}")));
        var headline = screen.Headlines[0];
        Assert.Equal($"1. {cause}: {failed} checks could not run", headline.Text);
        Assert.Equal(next, headline.Next);
        Assert.StartsWith($"FAILED sandbox: {cause}; ", screen.Verdict, StringComparison.Ordinal);
        Assert.All(screen.Lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.True(screen.Lines.Count <= 24, string.Join('\n', screen.Lines));
    }

    private static CheckResult Result(VerifyReport report, string name, string? region) =>
        Assert.Single(report.Checks, c => c.Name == name && c.Region == region);

    private static CheckResult Failed(VerifyReport report, string name, string region)
    {
        var result = Result(report, name, region);
        Assert.Equal(CheckStatus.Failed, result.Status);
        Assert.NotNull(result.Diagnosis);
        return result;
    }
}

using System.Globalization;
using System.Numerics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Issue 12: each tier rotated on the running sandbox, under load, as CNPG reloads on a Secret change.</summary>
public sealed class CertificateRotationTests
{
    [Theory]
    [InlineData(CertificateTier.Leaf)]
    [InlineData(CertificateTier.Intermediate)]
    [InlineData(CertificateTier.Root)]
    public async Task RotatingATierUnderLoadFailsNoConnectionLosesNoRowAndPresentsTheNewCertificates(CertificateTier tier)
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        var before = sandbox.Outputs;
        var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromMilliseconds(2));
        RotationReport report;
        ConnectionChurn churn;
        await using (writer)
        {
            churn = ConnectionChurn.Start(sandbox);
            await using (churn)
            {
                await churn.UntilMoreAttemptsAsync(40, TimeSpan.FromSeconds(30));
                report = await sandbox.RotateAsync(tier);
                await churn.UntilMoreAttemptsAsync(80, TimeSpan.FromSeconds(30));
            }
        }

        Assert.Empty(churn.Failures);
        using var connections = new Connections(sandbox);
        await AcknowledgedRows.AssertEverywhereAsync(connections, writer.Rows);

        var serials = report.Steps.SelectMany(s => s.Serials).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var after = sandbox.Outputs;
        foreach (var region in after.Regions)
        {
            foreach (var target in new[] { ConnectionTarget.Instance(region), ConnectionTarget.Pooler(region) })
            {
                using var identity = ClientIdentity.For(after, region, ClientNames.Verify);
                var session = await TlsProbe.HandshakeAsync(target, Connector.TrustAnchors(after.RootCaCertificate), identity, TimeSpan.FromSeconds(10), CancellationToken.None);
                Assert.Equal(serials[$"{region.Name}-server"], session.ServerCertificate.SerialNumber);
            }

            Assert.Equal(Decimal(serials[$"{region.Name}-pooler-backend"]), churn.BackendSerials[region.Name]);
        }

        // CNPG rewrites the replica's streaming certificate without restarting its WAL receiver, which keeps the session
        // it has; the next session it opens presents the new certificate, and the primary accepts it.
        Assert.Equal(Decimal(serials["us-replication"]), await ReplicationSerialAfterReconnectAsync(connections));
        Assert.NotEqual(before.Regions[1].Clients[ClientNames.App].CertificateChain, after.Regions[1].Clients[ClientNames.App].CertificateChain);
        var verified = await VerifyRunner.RunAsync(after, sandbox.VerifyOptions());
        Assert.True(verified.Passed, string.Join("\n", verified.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
        Assert.Equal(tier == CertificateTier.Root ? 2 : 1, report.RootGeneration);
    }

    [Fact]
    public async Task ARootRotationInterruptedAfterAnyPhaseResumesWhereItStopped()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        using var interrupt = new CancellationTokenSource();
        var applied = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.RotateAsync(CertificateTier.Root, new Steps(line =>
        {
            if (line.Contains(": applied; ", StringComparison.Ordinal) && ++applied == 2)
            {
                interrupt.Cancel();
            }
        }), TimeSpan.FromMilliseconds(200), interrupt.Token));

        Assert.Equal(new SandboxPki(1, RootRotationPhase.SignWithNext), sandbox.State.Pki);
        await Assert.ThrowsAsync<SandboxException>(() => sandbox.RotateAsync(CertificateTier.Leaf));
        var resumed = await sandbox.RotateAsync(CertificateTier.Root, pause: TimeSpan.Zero);

        Assert.Equal(["signWithNext", "root generation 2"], resumed.Steps.Select(s => s.Name));
        Assert.All(resumed.Steps, s => Assert.Empty(s.Reissued));

        // signWithNext had told every server before the interruption; completion drops the old root everywhere.
        Assert.Empty(resumed.Steps[0].Reloaded);
        Assert.Equal(["postgresql eu", "pgbouncer eu", "postgresql us", "pgbouncer us"], resumed.Steps[1].Reloaded);
        Assert.Equal(new SandboxPki(2), sandbox.State.Pki);
        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
        Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
    }

    // CNPG tells PgBouncer of a change to its clientTLSSecret, clientCASecret or serverCASecret only through an event of
    // its Pooler (PoolerTls): the sandbox reloads PgBouncer on exactly that, so a phase whose Pooler did not change would
    // leave PgBouncer presenting and trusting what it had. A phase that changes nothing reloads nothing.
    [Fact]
    public async Task EveryRootRotationPhaseReloadsEachServerOnlyAsCnpgTellsIt()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });

        var rotation = await sandbox.RotateAsync(CertificateTier.Root, pause: TimeSpan.Zero);
        var renewal = await sandbox.RotateAsync(CertificateTier.Leaf);

        string[] everyServer = ["postgresql eu", "pgbouncer eu", "postgresql us", "pgbouncer us"];
        Assert.Equal(["trustNext", "signWithNext", "root generation 2"], rotation.Steps.Select(s => s.Name));
        Assert.All(rotation.Steps, s => Assert.Equal(everyServer, s.Reloaded));
        Assert.Equal(everyServer, Assert.Single(renewal.Steps).Reloaded);
    }

    // A rotation SIGKILLed while it rewrites a file must leave that file whole, old or new: the same rotation run again
    // reads what it recorded (the state, the issued certificates, what each region's servers were told) and the servers
    // read their configuration and certificates. A file replaced by a rename leaves a reader that opened it before with
    // the old content whole; a file rewritten in place (truncated, then written, which a kill can stop between) does not.
    // KillSweepTests found an empty watched.json after a kill of `sandbox rotate --tier root`.
    [Fact]
    public async Task EveryFileARotationChangesIsReplacedInOneStepSoAKillNeverLeavesItHalfWritten()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        var held = RewritableFiles(sandbox.Directory).Select(path => (Path: path, Before: File.ReadAllText(path), Handle: File.OpenRead(path))).ToList();
        try
        {
            await sandbox.RotateAsync(CertificateTier.Leaf);

            var changed = held.Where(h => !File.Exists(h.Path) || File.ReadAllText(h.Path) != h.Before).ToList();
            Assert.Contains(changed, h => Path.GetFileName(h.Path) == "watched.json");
            var rewrittenInPlace = changed.Where(h =>
            {
                using var seen = new StreamReader(h.Handle);
                return seen.ReadToEnd() != h.Before;
            });
            Assert.Empty(rewrittenInPlace.Select(h => Path.GetRelativePath(sandbox.Directory, h.Path)));
        }
        finally
        {
            held.ForEach(h => h.Handle.Dispose());
        }
    }

    // Every file of the sandbox but what the servers write themselves: PostgreSQL's data directories, the WAL archive
    // (whose segments are written once, by a copy and a rename), the socket directories and the logs.
    private static IEnumerable<string> RewritableFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith(".log", StringComparison.Ordinal))
            .Where(path => !Path.GetRelativePath(directory, path).Split(Path.DirectorySeparatorChar).Any(part => part is "data" or "object-store" or "run"));

    [Fact]
    public async Task AfterARootRotationTheOldRootIsTrustedNowhere()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        var before = sandbox.Outputs;

        await sandbox.RotateAsync(CertificateTier.Root, pause: TimeSpan.Zero);

        var after = sandbox.Outputs;
        foreach (var region in after.Regions)
        {
            foreach (var target in new[] { ConnectionTarget.Instance(region), ConnectionTarget.Pooler(region) })
            {
                // A client that trusts only the old root refuses the servers' new chains...
                using var current = ClientIdentity.For(after, region, ClientNames.Verify);
                var refused = await Assert.ThrowsAsync<ServerCertificateException>(() => TlsProbe.HandshakeAsync(target, Connector.TrustAnchors(before.RootCaCertificate), current, TimeSpan.FromSeconds(10), CancellationToken.None));
                Assert.Contains("does not verify under the trusted roots", refused.Message, StringComparison.Ordinal);

                // ...and the servers refuse a client certificate issued under the old root.
                using var old = ClientIdentity.For(before, before.Regions.Single(r => r.Name == region.Name), ClientNames.App);
                var connector = new Connector(Connector.TrustAnchors(after.RootCaCertificate), after.Database, TimeSpan.FromSeconds(10));
                var login = await Record.ExceptionAsync(() => connector.OpenAsync(target, old, CancellationToken.None));
                Assert.NotNull(login);
                Assert.True(Fault.Of(login, target).IsRefusal, $"{target}: {login.Message}");
            }
        }
    }

    // pg_stat_ssl shows serials in decimal; .NET and OpenSSL's tools in hexadecimal.
    private static string Decimal(string hexadecimal) =>
        BigInteger.Parse("0" + hexadecimal, NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    private static async Task<string> ReplicationSerialAfterReconnectAsync(Connections connections)
    {
        const string Streaming = "SELECT s.client_serial::text FROM pg_catalog.pg_stat_replication r JOIN pg_catalog.pg_stat_ssl s USING (pid)";
        await using (var primary = await connections.OpenAsAdministratorAsync("eu"))
        {
            await using var terminate = new NpgsqlCommand("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_replication", primary);
            await terminate.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using var primary = await connections.OpenAsAdministratorAsync("eu");
            await using var command = new NpgsqlCommand(Streaming, primary);
            if (await command.ExecuteScalarAsync() is string serial)
            {
                return serial;
            }

            Assert.True(DateTime.UtcNow < deadline, "pg-us did not stream again within 30 s of its walsender's end");
            await Task.Delay(100);
        }
    }

    // Progress reported synchronously, so that an interruption lands right after the step it follows.
    private sealed class Steps(Action<string> onStep) : IProgress<string>
    {
        public void Report(string value) => onStep(value);
    }
}

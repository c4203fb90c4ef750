using System.Text.Json;
using System.Text.RegularExpressions;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using CrossClusterIac.Verify.Reporting;
using Npgsql;

namespace CrossClusterIac.Tests.Verify;

/// <summary>Issue 12: verify on certificates in use: what they are, how long they last, which root they chain to.</summary>
[Collection(SharedHealthySandbox.Name)]
public sealed partial class CertificateLifecycleTests(HealthySandbox fixture)
{
    [Fact]
    public void EveryServerCertificateIsReportedWithSerialIssuerRootAndDaysLeft()
    {
        var tls = fixture.Report.Checks.Where(c => c.Name.StartsWith("tls-", StringComparison.Ordinal)).ToList();

        Assert.Equal(4, tls.Count);
        Assert.All(tls, c => Assert.Matches(ServerCertificateSummary(), c.Detail));
        Assert.All(tls, c => Assert.InRange(c.Metrics!["certificateDaysLeft"], 360, 365));
        Assert.All(fixture.Report.Checks.Where(c => c.Name == "certificate-chains"), c => Assert.Contains("client CA: serial ", c.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACertificateInsideItsTiersRenewalWindowIsAWarningToRenewIt()
    {
        var outputs = fixture.Sandbox.Outputs with { RenewBeforeDays = new RenewalWindows(3000, 1900, 400) };

        var report = await VerifyRunner.RunAsync(outputs, fixture.Sandbox.VerifyOptions());

        Assert.True(report.Passed);
        Assert.All(report.Checks.Where(c => c.Name.StartsWith("tls-", StringComparison.Ordinal)), c =>
        {
            Assert.Equal(CheckStatus.Warning, c.Status);
            Assert.Contains("inside the 400-day renewal window: run `pulumi up`", c.Diagnosis, StringComparison.Ordinal);
        });
        Assert.All(report.Checks.Where(c => c.Name == "certificate-chains"), c => Assert.Contains("server CA has 1824 d left, inside its 1900-day renewal window", c.Diagnosis, StringComparison.Ordinal));
        Assert.All(fixture.Report.Checks.Where(c => c.Name is "certificate-chains" || c.Name.StartsWith("tls-", StringComparison.Ordinal)), c => Assert.Equal(CheckStatus.Passed, c.Status));
    }

    [Fact]
    public void OneRootPresentedAndTrustedIsTheSettledState()
    {
        var generations = Assert.Single(fixture.Report.Checks, c => c.Name == "certificate-generations");

        Assert.Equal(CheckStatus.Passed, generations.Status);
        Assert.Equal((1, 1), (generations.Metrics!["rootsPresented"], generations.Metrics["rootsTrusted"]));
    }

    [Theory]
    [InlineData(-3, "expired on ")]
    [InlineData(2, "not valid before ")]
    public async Task AServerCertificateInUseThatIsNotValidNowFailsSayingWhy(int startsInDays, string reason)
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = NewDirectory() });
        var plan = PkiPlan.For(SandboxTopology.For(sandbox.State.Regions));
        var root = CertificateIssuer.Issue(plan.Root with { Id = "test-root", CommonName = "Test Root CA" }, plan.KeyAlgorithm, null, DateTimeOffset.UtcNow.AddDays(-10));
        var serverCa = CertificateIssuer.Issue(plan.ForRegion("us").ServerCa with { IssuerId = root.Spec.Id }, plan.KeyAlgorithm, root, DateTimeOffset.UtcNow.AddDays(-10));
        var server = CertificateIssuer.Issue(plan.ForRegion("us").Server with { IssuerId = serverCa.Spec.Id, Validity = TimeSpan.FromDays(1) }, plan.KeyAlgorithm, serverCa, DateTimeOffset.UtcNow.AddDays(startsInDays));
        var outputs = sandbox.Outputs with { RootCaCertificate = sandbox.Outputs.RootCaCertificate + root.CertificatePem };

        await PresentAsync(sandbox, "us", server, outputs);
        var report = await VerifyRunner.RunAsync(outputs, sandbox.VerifyOptions());

        var check = Assert.Single(report.Checks, c => c is { Name: "tls-instance", Region: "us" });
        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Contains($"serial {server.Certificate.SerialNumber}", check.Diagnosis, StringComparison.Ordinal);
        Assert.Contains(reason, check.Diagnosis, StringComparison.Ordinal);
        Assert.Contains(report.Checks, c => c is { Name: "tls-instance", Region: "eu", Status: CheckStatus.Passed });
    }

    [Fact]
    public async Task ServersPresentingChainsToDifferentRootsAreReportedWhileARootRotationOverlaps()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = NewDirectory() });
        using var interrupt = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.RotateAsync(
            CertificateTier.Root,
            new Synchronous(line =>
            {
                if (line.Contains(": applied; ", StringComparison.Ordinal))
                {
                    interrupt.Cancel();
                }
            }),
            TimeSpan.FromSeconds(5),
            interrupt.Token));

        var trusting = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
        var overlap = Assert.Single(trusting.Checks, c => c.Name == "certificate-generations");
        Assert.True(trusting.Passed);
        Assert.Equal(CheckStatus.Warning, overlap.Status);
        Assert.Contains("the outputs trust 2 roots while every server presents one", overlap.Diagnosis, StringComparison.Ordinal);

        // Mid-way through signWithNext: the us instance already presents its certificate under the next root.
        var next = CertificateRenewal.Renew(PkiPlan.For(SandboxTopology.For(sandbox.State.Regions, new SandboxPki(1, RootRotationPhase.SignWithNext))), Stored(sandbox, new SandboxPki(1, RootRotationPhase.TrustNext)), DateTimeOffset.UtcNow).Pki;
        await PresentAsync(sandbox, "us", next[next.Plan.ForRegion("us").Server], sandbox.Outputs);
        var mixed = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());

        var generations = Assert.Single(mixed.Checks, c => c.Name == "certificate-generations");
        Assert.True(mixed.Passed, string.Join("; ", mixed.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => c.Diagnosis)));
        Assert.Equal(CheckStatus.Warning, generations.Status);
        Assert.Contains("servers present chains to 2 different roots", generations.Diagnosis, StringComparison.Ordinal);
        Assert.Contains("under 'CrossClusterIac Root CA 2': pg-us-rw", generations.Detail, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"server certificate valid for pg-\w+-(rw|pooler-rw) \(serial [0-9A-F]+, issuer 'CrossClusterIac \w+ server CA' under 'CrossClusterIac Root CA', \d+ d left\)")]
    private static partial Regex ServerCertificateSummary();

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), $"crosscluster-verify-test-{Guid.NewGuid():N}");

    private static IssuedPki Stored(RunningSandbox sandbox, SandboxPki pki)
    {
        var stored = JsonSerializer.Deserialize<Dictionary<string, StoredCertificate>>(File.ReadAllText(Path.Combine(sandbox.Directory, "pki-state.json")), TopologyOutputsJson.Options)!;
        return IssuedPki.Import(PkiPlan.For(SandboxTopology.For(sandbox.State.Regions, pki)), stored);
    }

    // The instance's server certificate files replaced and PostgreSQL reloaded, until a handshake shows the new serial.
    private static async Task PresentAsync(RunningSandbox sandbox, string region, IssuedCertificate certificate, TopologyOutputs outputs)
    {
        var controller = sandbox.State.Regions.Single(r => r.Name == region).Layout.Controller;
        // Written in place, so each file keeps the owner and mode (0600) the sandbox gave it for the server's account.
        await File.WriteAllTextAsync(controller.ServerCertificate, certificate.ChainPem);
        await File.WriteAllTextAsync(controller.ServerKey, certificate.PrivateKeyPem);
        await using (var connection = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, region))
        {
            await using var reload = new NpgsqlCommand("SELECT pg_catalog.pg_reload_conf()", connection);
            await reload.ExecuteNonQueryAsync();
        }

        var target = ConnectionTarget.Instance(outputs.Regions.Single(r => r.Name == region));
        using var identity = ClientIdentity.For(outputs, outputs.Regions.Single(r => r.Name == region), ClientNames.Verify);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                var session = await TlsProbe.HandshakeAsync(target, Connector.TrustAnchors(outputs.RootCaCertificate), identity, TimeSpan.FromSeconds(5), CancellationToken.None);
                if (session.ServerCertificate.SerialNumber == certificate.Certificate.SerialNumber)
                {
                    return;
                }
            }
            catch (ServerCertificateException e) when (e.Message.Contains(certificate.Certificate.SerialNumber, StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pg-{region} did not present serial {certificate.Certificate.SerialNumber} within 10 s of its reload");
            await Task.Delay(50);
        }
    }

    private sealed class Synchronous(Action<string> onReport) : IProgress<string>
    {
        public void Report(string value) => onReport(value);
    }
}

using System.Text.Json;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Tests.Verify;

[Collection(SharedHealthySandbox.Name)]
public sealed class HealthyTopologyTests(HealthySandbox fixture)
{
    [Fact]
    public void EveryCheckPassesOnAHealthyTopology()
    {
        var failed = fixture.Report.Checks.Where(c => c.Status != CheckStatus.Passed).Select(c => $"{c.Name} {c.Region}: {c.Detail} → {c.Diagnosis}");

        Assert.Empty(failed);
        Assert.True(fixture.Report.Passed);
    }

    [Fact]
    public void SuiteCoversEveryEndpointReplicaAndRegionPair()
    {
        // Two regions: 2 chain checks, 4 TLS endpoints, the roots they present, 2 roles, then per replica streaming,
        // write and data, a cross-region client per region (to its peer's pooler), pg-writer reaching the primary, and 7
        // refusals per region (the app password's included).
        var expected = 2 + 4 + 1 + 2 + 3 + 2 + 1 + (7 * 2);

        Assert.Equal(expected, fixture.Report.Checks.Count);
        Assert.Equal(4, fixture.Report.Checks.Count(c => c.Name.StartsWith("tls-", StringComparison.Ordinal)));
    }

    [Fact]
    public void AppSecretsPasswordIsRefusedEverywhere()
    {
        var refusals = fixture.Report.Checks.Where(c => c.Name == "refuses-app-password").ToList();

        Assert.Equal(["eu", "us"], refusals.Select(c => c.Region));
        Assert.All(refusals, c => Assert.Contains("app with the app Secret's password refused", c.Detail, StringComparison.Ordinal));
        Assert.All(refusals, c => Assert.Contains("pg_hba.conf rejects connection", c.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void ReplicaStreamsFromPrimaryOverTlsAsStreamingReplicaOfItsRegion()
    {
        var streaming = Assert.Single(fixture.Report.Checks, c => c.Name == "streams-over-mtls");

        Assert.Equal("us", streaming.Region);
        Assert.Contains("client DN /CN=streaming_replica/O=CrossClusterIac issued by /CN=CrossClusterIac us client CA", streaming.Detail, StringComparison.Ordinal);
        Assert.Contains("TLSv1.", streaming.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refuses-plaintext", "no encryption", "SSL required")]
    [InlineData("refuses-missing-client-certificate", "requires a valid client certificate", null)]
    [InlineData("refuses-untrusted-ca", null, null)]
    [InlineData("refuses-mismatched-cn", "certificate authentication failed", "certificate authentication failed")]
    [InlineData("refuses-expired-certificate", null, null)]
    [InlineData("refuses-server-name-mismatch", "verify refused the server certificate", "verify refused the server certificate")]
    public void EachBadConnectionIsRefusedAndTheWayItWasRefusedIsNamed(string check, string? instanceRefusal, string? poolerRefusal)
    {
        foreach (var result in fixture.Report.Checks.Where(c => c.Name == check))
        {
            Assert.Equal(CheckStatus.Passed, result.Status);
            var parts = result.Detail.Split("; ");
            var instance = Assert.Single(parts, p => p.Contains($"pg-{result.Region}-rw (", StringComparison.Ordinal));
            var pooler = Assert.Single(parts, p => p.Contains($"pg-{result.Region}-pooler-rw (", StringComparison.Ordinal));
            Assert.Contains(instanceRefusal ?? "TLS handshake", instance, StringComparison.Ordinal);
            Assert.Contains(poolerRefusal ?? "TLS handshake", pooler, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JsonReportFromStandardInputIsParsableAndExitsZero()
    {
        using var input = new StringReader(await File.ReadAllTextAsync(fixture.Sandbox.OutputsPath));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await VerifyCli.InvokeAsync(["--outputs", "-", "--output", "json", "--rows", "10"], input, output, error);

        Assert.Equal(0, exitCode);
        using var report = JsonDocument.Parse(output.ToString());
        Assert.Equal("passed", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("sandbox", report.RootElement.GetProperty("environment").GetString());
        Assert.All(report.RootElement.GetProperty("checks").EnumerateArray(), c => Assert.Equal("passed", c.GetProperty("status").GetString()));
    }

    [Fact]
    public void ReportNeverContainsAPrivateKey()
    {
        var json = CrossClusterIac.Verify.Reporting.JsonReport.Render(fixture.Report);

        Assert.DoesNotContain("PRIVATE KEY", json, StringComparison.Ordinal);
        Assert.All(fixture.Sandbox.Outputs.ClientKeys.Values.SelectMany(k => k.Values), key =>
            Assert.DoesNotContain(key.Split('\n')[1], json, StringComparison.Ordinal));
    }
}

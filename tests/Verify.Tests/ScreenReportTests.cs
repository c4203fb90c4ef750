using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Tests.Verify;

/// <summary>verify's default report fits a screen, names the cause of a failure once, and never cuts a word in two.</summary>
[Collection(SharedHealthySandbox.Name)]
public sealed class ScreenReportTests(HealthySandbox fixture)
{
    [Fact]
    public async Task TheReportOfAHealthyTopologyFitsEightyByTwentyFour()
    {
        var (exitCode, output, error) = await VerifyAsync();

        Assert.Equal(0, exitCode);

        // Nothing on standard error: the checks are not listed as they finish and then again in the report.
        Assert.Empty(error);
        var screen = ScreenText.Parse(output);
        Assert.True(screen.Lines.Count <= 24, $"{screen.Lines.Count} lines:\n{output}");
        Assert.All(screen.Lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));

        // Each region at a glance: role, timeline, lag, streaming, pooler and the nearest certificate expiry.
        Assert.Matches(@"^pg-eu +primary +1 +- +- +serves +expire in \d+ d$", Assert.Single(screen.Lines, l => l.StartsWith("pg-eu", StringComparison.Ordinal)));
        Assert.Matches(@"^pg-us +replica +1 +\d+ ms +yes +serves +expire in \d+ d$", Assert.Single(screen.Lines, l => l.StartsWith("pg-us", StringComparison.Ordinal)));
        Assert.StartsWith($"PASSED sandbox: {fixture.Report.Checks.Count} passed, 0 warnings, 0 failed in ", screen.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void TheVerboseReportListsEveryCheckOnce()
    {
        using var writer = new StringWriter();
        TableReport.Write(fixture.Report, writer, verbose: true);

        var lines = ScreenText.Parse(writer.ToString()).Lines;
        Assert.All(fixture.Report.Checks.GroupBy(c => c.Name), checks => Assert.Equal(checks.Count(), lines.Count(l => l.StartsWith($"│ {checks.Key} ", StringComparison.Ordinal))));
    }

    [Fact]
    public void ALongWordIsNeverCutInTwo()
    {
        var serial = "7F3A9C2B4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F70";
        var path = "/" + string.Join('/', Enumerable.Repeat("a-long-directory-name", 6));
        var diagnosis = $"the certificate with serial {serial} under {path} is not trusted by the region's bundle; re-issue it with the stack's current root and run verify again";
        var report = new VerifyReport("sandbox", [new CheckResult("certificate-chains", "eu", CheckStatus.Failed, TimeSpan.Zero, "detail", diagnosis)], TimeSpan.Zero);

        var screen = ScreenText.Of(report);

        Assert.All(screen.Lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        var headline = Assert.Single(screen.Headlines);
        Assert.Contains(serial, Assert.Single(screen.Lines, l => l.Contains(serial[..8], StringComparison.Ordinal)), StringComparison.Ordinal);

        // Joined again at the line breaks, the words are the diagnosis's own: only the one longer than a line is shortened.
        var shortened = Assert.Single(screen.Lines, l => l.Contains(path[..20], StringComparison.Ordinal)).Trim();
        Assert.EndsWith("…", shortened, StringComparison.Ordinal);
        Assert.StartsWith(shortened.TrimEnd('…'), path, StringComparison.Ordinal);
        Assert.Equal($"1. certificate-chains (eu) failed: {diagnosis.Replace(path, shortened, StringComparison.Ordinal)}", headline.Text);
        Assert.Equal("FAILED sandbox: certificate-chains (eu) failed; 0 passed, 0 warnings, 1 failed in 0 ms", screen.Verdict);
    }

    [Theory]
    [InlineData("us", "pg-us is fenced (cnpg.io/fencedInstances)", "dr rejoin --stack dev --region us")]
    [InlineData("eu", "pg-eu is fenced (cnpg.io/fencedInstances)", "kubectl --context sandbox-eu -n default cnpg fencing off pg-eu '*'")]
    public void ARegionCnpgFencesIsNamedFencedWithTheCommandThatBringsItBack(string region, string cause, string next)
    {
        // On a cluster (--kube): the instance down behind its endpoints, and CNPG's Cluster fencing it. A former primary
        // (a replica in the outputs, after `dr failover`) is rebuilt; a fence on the primary was set by hand and is lifted.
        var down = new CheckResult("recovery-role", region, CheckStatus.Failed, TimeSpan.Zero, "no connection", "PostgreSQL down") { Cause = new RootCause(region, EndpointKind.Instance, ServerState.Down) };
        var cnpg = new CheckResult("cnpg-status", region, CheckStatus.Warning, TimeSpan.Zero, "fenced instances *", "CNPG fences it") { Fenced = true };
        var report = fixture.Report with { Environment = "dev", Checks = [down, cnpg] };

        var screen = ScreenText.Of(report);

        Assert.Equal(($"1. {cause}: 1 check could not run", next), Assert.Single(screen.Headlines));
        Assert.Matches($@"^pg-{region} +fenced ", Assert.Single(screen.Lines, l => l.StartsWith($"pg-{region} ", StringComparison.Ordinal)));
        Assert.StartsWith($"FAILED dev: {cause}; ", screen.Verdict, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Error)> VerifyAsync()
    {
        using var input = new StringReader(await File.ReadAllTextAsync(fixture.Sandbox.OutputsPath));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await VerifyCli.InvokeAsync(["--outputs", "-", "--rows", "10"], input, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}

using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Tests.Verify;

/// <summary>Issue 14: a delayed replica (minApplyDelay) is expected to lag by its delay, no less and not much more.</summary>
public sealed class DelayedReplicaTests
{
    [Fact]
    public async Task ADelayedReplicaPassesWhenItsRowsArriveOnceItsDelayHasPassed()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = NewDirectory(), MinApplyDelays = new Dictionary<string, string> { ["us"] = "3s" } });

        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());

        Assert.True(report.Passed, Failures(report));
        var visible = Assert.Single(report.Checks, c => c is { Name: "write-visible", Region: "us" });
        Assert.InRange(visible.Metrics!["lagMs"], 3000 - 250, 3000 + 2000);
        Assert.Contains("which holds back replay by 3 s", visible.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Assert.Single(report.Checks, c => c is { Name: "data-arrives-whole", Region: "us" }).Status);
    }

    [Fact]
    public async Task AReplicaThatShouldHoldBackButReplaysAtOnceFails()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = NewDirectory() });
        var outputs = sandbox.Outputs with { Regions = [.. sandbox.Outputs.Regions.Select(r => r.Name == "us" ? r with { MinApplyDelaySeconds = 3 } : r)] };

        var report = await VerifyRunner.RunAsync(outputs, sandbox.VerifyOptions());

        var visible = Assert.Single(report.Checks, c => c is { Name: "write-visible", Region: "us" });
        Assert.Equal(CheckStatus.Failed, visible.Status);
        Assert.Contains("before its 3 s delay: recovery_min_apply_delay is not applied", visible.Diagnosis, StringComparison.Ordinal);
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), $"crosscluster-verify-test-{Guid.NewGuid():N}");

    private static string Failures(VerifyReport report) =>
        string.Join("\n", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}"));
}

using CrossClusterIac.Dr;

namespace CrossClusterIac.Tests.Dr;

/// <summary>Issue 11: `dr switchover` continues from whatever state the stack's config is in.</summary>
public sealed class SwitchoverPlanTests
{
    private const string Token = "eyJsYXRlc3RDaGVja3BvaW50VGltZWxpbmVJRCI6IjEiLCJyZWRvV2FsRmlsZSI6IjAwMDAwMDAxMDAwMDAwMDAwMDAwMDAwNCIsImRhdGFiYXNlU3lzdGVtSWRlbnRpZmllciI6Ijc3MTQyMzA1Nzk0MDg5Nzk3NjQiLCJsYXRlc3RDaGVja3BvaW50UkVET0xvY2F0aW9uIjoiMC80MDAwMDI4IiwidGltZU9mTGF0ZXN0Q2hlY2twb2ludCI6IlR1ZSBEZWMgIDEgMDc6MTQ6MzQgMjAyNiIsIm9wZXJhdG9yVmVyc2lvbiI6IjEuMzAuMCJ9";

    public static TheoryData<string, string, string?, string> States => new()
    {
        // primaryRegion, switchover.to, promotionToken → the steps left
        { "eu", null!, null, "SetTarget ApplyDemotion AwaitDemotionToken ApplyPromotion AwaitPromotion Complete ApplyCompleted Verify" },
        { "eu", "us", null, "ApplyDemotion AwaitDemotionToken ApplyPromotion AwaitPromotion Complete ApplyCompleted Verify" },
        { "eu", "us", Token, "ApplyPromotion AwaitPromotion Complete ApplyCompleted Verify" },
        { "us", "us", Token, "Complete ApplyCompleted Verify" },
        { "us", null!, Token, "Complete ApplyCompleted Verify" },
        { "us", null!, null, "Verify" },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void ARunStartsFromTheStepTheConfigIsAt(string primary, string? to, string? token, string steps)
    {
        var state = StackState.Parse(StackConfig.Json(primary, to, token));

        Assert.Equal(steps, string.Join(' ', SwitchoverPlan.From(state, "us").Select(s => s.Action)));
    }

    [Theory]
    [InlineData("eu", "eu", null, "finish it first with `dr switchover --to eu`")]
    [InlineData("eu", null, Token, "finish it first with `dr switchover --to eu`")]
    public void AStateThatIsNotASwitchoverToTheTargetIsRefusedNamingTheFix(string primary, string? to, string? token, string message)
    {
        var refused = Record.Exception(() => SwitchoverPlan.From(StackState.Parse(StackConfig.Json(primary, to, token)), "us"));

        var problem = Assert.IsAssignableFrom<Exception>(refused);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATargetThatIsNotARegionIsRefusedNamingTheRegions()
    {
        var refused = Assert.Throws<DrException>(() => SwitchoverPlan.From(StackState.Parse(StackConfig.Json("eu", null, null)), "ap"));

        Assert.Equal(DrException.UsageExitCode, refused.ExitCode);
        Assert.Equal("--to: no region 'ap' in the stack; it has eu, us.", refused.Message);
    }

    [Fact]
    public void TheTokenIsReadFromTheSecretConfigValueAndGivenToTheTopology()
    {
        var state = StackState.Parse(StackConfig.Json("eu", "us", Token));

        Assert.Equal(Token, state.PromotionToken);
        Assert.Equal(Token, state.Topology.Switchover!.PromotionToken);
    }
}

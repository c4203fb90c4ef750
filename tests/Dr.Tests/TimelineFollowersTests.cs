using CrossClusterIac.Dr;
using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Tests.Dr;

public sealed class TimelineFollowersTests
{
    private static readonly Lsn Target = At("0/3000028");

    [Fact]
    public void AReplicaAtOrBeforeTheTargetFollowsAndOnePastItMayNotWithItsRejoin()
    {
        var verdicts = TimelineFollowers.Judge("prod", "us", Target, [ReplicaReplay.At("eu", "10.0.0.1:5432", Target), ReplicaReplay.At("ap", "10.0.0.3:5432", At("0/3000060"))]);

        Assert.Equal([FollowOutcome.Follows, FollowOutcome.MayNotFollow], verdicts.Select(v => v.Outcome));
        Assert.Equal("pg-eu: replayed up to 0/3000028, at or before pg-us's 0/3000028: it can follow pg-us after the promotion", verdicts[0].Line);
        Assert.Equal("pg-ap: replayed up to 0/3000060, past pg-us's 0/3000028: it may not be able to follow pg-us after the promotion; rebuild it afterwards with: dr rejoin --stack prod --region ap (a failover to pg-ap would lose less)", verdicts[1].Line);
    }

    [Fact]
    public void OnlyTheFurthestReplicaIsNamedAsTheFailoverThatWouldLoseLess()
    {
        var verdicts = TimelineFollowers.Judge("prod", "us", Target, [ReplicaReplay.At("ap", "a:1", At("0/3000060")), ReplicaReplay.At("sa", "s:1", At("0/3000100"))]);

        Assert.All(verdicts, v => Assert.Equal(FollowOutcome.MayNotFollow, v.Outcome));
        Assert.DoesNotContain("would lose less", verdicts[0].Line, StringComparison.Ordinal);
        Assert.EndsWith("(a failover to pg-sa would lose less)", verdicts[1].Line, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplicaWithoutAPositionIsUnknownNamingItsEndpointAndTheCause()
    {
        var verdict = Assert.Single(TimelineFollowers.Judge("prod", "us", Target, [ReplicaReplay.Unknown("ap", "10.0.0.3:5432", "did not answer in time")]));

        Assert.Equal(FollowOutcome.Unknown, verdict.Outcome);
        Assert.Equal("pg-ap: no replay position from 10.0.0.3:5432 (did not answer in time): whether it can follow pg-us after the promotion is unknown; if it replayed past pg-us's 0/3000028, rebuild it afterwards with: dr rejoin --stack prod --region ap", verdict.Line);
    }

    private static Lsn At(string text) => Lsn.TryParse(text, out var lsn) ? lsn : throw new FormatException(text);
}

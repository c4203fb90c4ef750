using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The cross-check of CNPG's view with verify's SQL view, on recorded and composed status documents.</summary>
public sealed class CnpgViewTests
{
    private static readonly SqlView StreamingReplica = new("pg-us", RegionRole.Replica, InRecovery: true, "streaming", "10.244.0.17", null);
    private static readonly SqlView ReplicaWithoutReceiver = StreamingReplica with { WalReceiverStatus = null };
    private static readonly SqlView Primary = new("pg-eu", RegionRole.Primary, InRecovery: false, null, "10.244.0.5", "000000010000000000000006");

    [Fact]
    public void AReadyReplicaThatStreamsPassesEveryCheck()
    {
        var findings = CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json"), StreamingReplica);

        Assert.Equal([CnpgView.StatusCheck, CnpgView.CurrentPrimaryCheck, CnpgView.ReadyButNotStreamingCheck], findings.Select(f => f.Name));
        Assert.All(findings, f => Assert.Equal(CheckStatus.Passed, f.Outcome.Status));
        Assert.EndsWith("both views agree", Outcome(findings, CnpgView.ReadyButNotStreamingCheck).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadyReplicaWhoseWalReceiverIsGoneFailsNamingBothViews()
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json"), ReplicaWithoutReceiver), CnpgView.ReadyButNotStreamingCheck);

        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.Equal(
            "CNPG reports pg-us Ready (phase 'Cluster in healthy state', 1/1 instances ready) but its WAL receiver is not streaming (pg_stat_wal_receiver: none): CNPG's readiness does not cover the link to the source (cloudnative-pg #817)",
            outcome.Diagnosis);
        Assert.Contains("Ready True (ClusterIsReady)", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("pg_stat_wal_receiver: none", outcome.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("waiting")]
    [InlineData("stopping")]
    public void AReadyReplicaWhoseWalReceiverIsNotStreamingYetFailsToo(string receiver)
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json"), StreamingReplica with { WalReceiverStatus = receiver }), CnpgView.ReadyButNotStreamingCheck);

        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.Contains($"(pg_stat_wal_receiver: {receiver})", outcome.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReplicaOfIssue817ReadyOnItsConditionAloneFailsWhenItDoesNotStream()
    {
        var findings = CnpgView.Compare(CnpgStatusDocuments.Cluster("issue-817-replica-ready.json"), ReplicaWithoutReceiver with { Cluster = "db" });

        var outcome = Outcome(findings, CnpgView.ReadyButNotStreamingCheck);
        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.StartsWith("CNPG reports db Ready (phase not reported, ?/? instances ready) but its WAL receiver is not streaming", outcome.Diagnosis, StringComparison.Ordinal);

        // That document names no current primary either: CNPG cannot be said to agree on which instance verify reached.
        Assert.Equal(CheckStatus.Failed, Outcome(findings, CnpgView.CurrentPrimaryCheck).Status);
    }

    [Fact]
    public void AReadyReplicaThatWasPromotedFailsSayingItNoLongerFollows()
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json"), ReplicaWithoutReceiver with { InRecovery = false }), CnpgView.ReadyButNotStreamingCheck);

        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.Contains("not in recovery (pg_is_in_recovery() false)", outcome.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void AClusterCnpgCallsNotReadyIsReportedButIsNotTheNewFailure()
    {
        // The recorded cluster is also fenced, which the next test reads; here only its readiness.
        var findings = CnpgView.Compare(CnpgStatusDocuments.Cluster("issue-6317-not-ready.json") with { FencedInstances = [] }, ReplicaWithoutReceiver with { Cluster = "cluster-one" });

        var status = Outcome(findings, CnpgView.StatusCheck);
        Assert.Equal(CheckStatus.Warning, status.Status);
        Assert.Contains("phase 'Applying configuration', Ready False (ClusterIsNotReady)", status.Detail, StringComparison.Ordinal);
        Assert.Contains("(PostgreSQL configuration changed)", status.Diagnosis, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, Outcome(findings, CnpgView.ReadyButNotStreamingCheck).Status);
    }

    [Fact]
    public void AFencedClusterWarnsThatItsPrimaryIsStoppedAndMarksTheRegionFencedEvenWithoutSql()
    {
        var fenced = CnpgStatusDocuments.Cluster("issue-6317-not-ready.json");

        foreach (var findings in new[] { CnpgView.Compare(fenced, ReplicaWithoutReceiver with { Cluster = "cluster-one" }), CnpgView.CompareWithoutSql(fenced, RegionRole.Replica, "connecting at cluster-one-rw failed: refused") })
        {
            var status = Outcome(findings, CnpgView.StatusCheck);
            Assert.Equal(CheckStatus.Warning, status.Status);
            Assert.True(status.Fenced);
            Assert.Contains("fenced instances *", status.Detail, StringComparison.Ordinal);
            Assert.Contains("CNPG fences cluster-one's primary (cnpg.io/fencedInstances): PostgreSQL is stopped there", status.Diagnosis, StringComparison.Ordinal);
        }

        Assert.False(Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json"), Primary), CnpgView.StatusCheck).Fenced);
    }

    [Fact]
    public void AHealthyPrimaryReachedAtItsOwnAddressPassesAndReportsWhatBothViewsSaw()
    {
        var findings = CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json"), Primary);

        Assert.Equal([CnpgView.StatusCheck, CnpgView.CurrentPrimaryCheck], findings.Select(f => f.Name));
        Assert.All(findings, f => Assert.Equal(CheckStatus.Passed, f.Outcome.Status));
        Assert.Equal(
            "CNPG: phase 'Cluster in healthy state', Ready True (ClusterIsReady), 2/2 instances ready, current primary pg-eu-1, demotion token absent, ContinuousArchiving True (ContinuousArchivingSuccess); SQL: not in recovery, pg_stat_wal_receiver: none, last archived WAL 000000010000000000000006 (pg_stat_archiver)",
            Outcome(findings, CnpgView.StatusCheck).Detail);
        Assert.EndsWith("at 10.244.0.5; SQL: verify reached 10.244.0.5 (not in recovery): the same instance", Outcome(findings, CnpgView.CurrentPrimaryCheck).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void APrimaryEndpointLeadingToAnotherInstanceThanCnpgsCurrentPrimaryFailsNamingBoth()
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json"), Primary with { ServerAddress = "10.244.0.6" }), CnpgView.CurrentPrimaryCheck);

        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.StartsWith("CNPG's current primary of pg-eu is pg-eu-1 at 10.244.0.5, but the read-write endpoint verify uses led to 10.244.0.6 (CNPG's instance pg-eu-2)", outcome.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAddressCnpgDoesNotKnowIsNamedAsSuch()
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json"), Primary with { ServerAddress = "192.0.2.9" }), CnpgView.CurrentPrimaryCheck);

        Assert.Equal(CheckStatus.Failed, outcome.Status);
        Assert.Contains("led to 192.0.2.9 (an address CNPG reports for none of its instances)", outcome.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void AMoveOfThePrimaryUnderWayWarnsNamingBothInstances()
    {
        var moving = CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json") with { TargetPrimary = "pg-eu-2" };

        var outcome = Outcome(CnpgView.Compare(moving, Primary), CnpgView.CurrentPrimaryCheck);

        Assert.Equal(CheckStatus.Warning, outcome.Status);
        Assert.Contains("from pg-eu-1 to pg-eu-2", outcome.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void APrimaryWhoseAddressNeitherViewGivesIsNotJudgedOnIt()
    {
        var outcome = Outcome(CnpgView.Compare(CnpgStatusDocuments.Cluster("issue-5319-primary-ready.json"), Primary with { Cluster = "cnpg-postgresql-cluster" }), CnpgView.CurrentPrimaryCheck);

        Assert.Equal(CheckStatus.Passed, outcome.Status);
        Assert.EndsWith("(addresses not compared: CNPG or PostgreSQL reports none)", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDemotionTokenIsReportedPresentAndNeverPrinted()
    {
        var demoted = CnpgStatusDocuments.Cluster("composed-demoted-primary.v1.30.json");

        var findings = CnpgView.Compare(demoted, Primary with { InRecovery = true });

        Assert.Contains("demotion token present (not shown)", Outcome(findings, CnpgView.StatusCheck).Detail, StringComparison.Ordinal);
        Assert.All(findings, f => Assert.DoesNotContain(demoted.DemotionToken!, f.Outcome.Detail + f.Outcome.Diagnosis, StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutTheSqlViewCnpgsViewIsReportedAndTheComparisonsFail()
    {
        var findings = CnpgView.CompareWithoutSql(CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json"), RegionRole.Replica, "connecting at pg-us-rw failed: refused");

        Assert.Equal(CheckStatus.Passed, Outcome(findings, CnpgView.StatusCheck).Status);
        Assert.Equal(CheckStatus.Failed, Outcome(findings, CnpgView.ReadyButNotStreamingCheck).Status);
        Assert.Contains("connecting at pg-us-rw failed: refused", Outcome(findings, CnpgView.CurrentPrimaryCheck).Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void AnActivePoolerPassesAndOneWithoutAPhaseIsNotJudged()
    {
        Assert.Equal(CheckStatus.Passed, CnpgView.Pooler(CnpgStatusDocuments.Pooler("composed-pooler-active.v1.30.json")).Status);

        var sample = CnpgView.Pooler(CnpgStatusDocuments.Pooler("olm-sample-pooler.v1.30.0.json"));
        Assert.Equal(CheckStatus.Passed, sample.Status);
        Assert.EndsWith("(this CNPG reports no Pooler phase)", sample.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("paused", CheckStatus.Warning)]
    [InlineData("inactive", CheckStatus.Failed)]
    [InlineData("failed", CheckStatus.Failed)]
    public void APoolerThatIsNotActiveIsFlagged(string phase, CheckStatus expected)
    {
        var pooler = CnpgStatusDocuments.Pooler("composed-pooler-active.v1.30.json") with { Phase = phase, PhaseReason = "secret pg-eu-server-tls not found" };

        var outcome = CnpgView.Pooler(pooler);

        Assert.Equal(expected, outcome.Status);
        Assert.Contains($"phase '{phase}': secret pg-eu-server-tls not found", outcome.Detail, StringComparison.Ordinal);
    }

    private static CheckOutcome Outcome(IReadOnlyList<CnpgFinding> findings, string name) => Assert.Single(findings, f => f.Name == name).Outcome;
}

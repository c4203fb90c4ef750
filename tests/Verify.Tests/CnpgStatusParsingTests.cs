using System.Text.Json;
using System.Text.Json.Nodes;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The parsers on recorded CNPG status documents: each field read where the document has it, <c>null</c> where not.</summary>
public sealed class CnpgStatusParsingTests
{
    [Fact]
    public void AReplicaClusterReadyByConditionAloneHasEveryOtherFieldNull()
    {
        var status = CnpgStatusDocuments.Cluster("issue-817-replica-ready.json");

        Assert.Equal("db", status.Name);
        Assert.True(status.SaysReady);
        Assert.Equal(new CnpgCondition("Ready", "True", "ClusterIsReady", "Cluster is Ready", "2022-10-04T13:09:52Z"), status.Ready);
        Assert.Null(status.Phase);
        Assert.Null(status.CurrentPrimary);
        Assert.Null(status.TargetPrimary);
        Assert.Null(status.ReadyInstances);
        Assert.Null(status.Instances);
        Assert.Null(status.DemotionToken);
        Assert.Null(status.ContinuousArchiving);
        Assert.Empty(status.InstancesReportedState);
    }

    [Fact]
    public void APrimaryReportedInAnIssueReadsItsConditionsAndCurrentPrimary()
    {
        var status = CnpgStatusDocuments.Cluster("issue-5319-primary-ready.json");

        Assert.Equal(("cnpg-postgresql-cluster", "insights-ui"), (status.Name, status.Namespace));
        Assert.Equal("cnpg-postgresql-cluster-1", status.CurrentPrimary);
        Assert.Equal(["Ready", "ContinuousArchiving"], status.Conditions.Select(c => c.Type));
        Assert.True(status.SaysReady);
        Assert.Equal("True (ContinuousArchivingSuccess)", status.ContinuousArchiving!.Summary);
        Assert.Null(status.Phase);
        Assert.Null(status.FirstRecoverabilityPoint);
    }

    [Fact]
    public void AClusterApplyingConfigurationIsNotReady()
    {
        var status = CnpgStatusDocuments.Cluster("issue-6317-not-ready.json");

        Assert.False(status.SaysReady);
        Assert.Equal("Applying configuration", status.Phase);
        Assert.Equal("PostgreSQL configuration changed", status.PhaseReason);
        Assert.Equal("False (ClusterIsNotReady)", status.Ready!.Summary);
        Assert.True(status.ContinuousArchiving!.IsTrue);
    }

    [Fact]
    public void TheFencingAnnotationOfARecordedClusterFencesEveryInstanceItsPrimaryIncluded()
    {
        var status = CnpgStatusDocuments.Cluster("issue-6317-not-ready.json");

        Assert.Equal(["*"], status.FencedInstances);
        Assert.True(status.FencesPrimary);
        Assert.False(CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json").FencesPrimary);
    }

    [Theory]
    [InlineData("[\"pg-eu-1\"]", true)]
    [InlineData("[\"pg-eu-2\"]", false)]
    [InlineData("[]", false)]
    [InlineData("*", false)]
    [InlineData("{\"pg-eu-1\": true}", false)]
    public void OnlyAFenceCnpgWouldApplyToTheCurrentPrimaryFencesIt(string annotation, bool fences)
    {
        // CNPG fences the instances a JSON list names and ignores an annotation of any other syntax
        // (api/v1/cluster_funcs.go IsInstanceFenced, pkg/utils/fencing.go GetFencedInstances).
        var document = JsonNode.Parse(CnpgStatusDocuments.Load("composed-primary-two-instances.v1.30.json").GetRawText())!;
        document["metadata"]!["annotations"] = new JsonObject { ["cnpg.io/fencedInstances"] = annotation };

        var status = CnpgClusterStatus.Parse(JsonSerializer.SerializeToElement(document));

        Assert.Equal("pg-eu-1", status.CurrentPrimary);
        Assert.Equal(fences, status.FencesPrimary);
    }

    [Fact]
    public void CnpgsOwnV130SampleHasOnlyItsInstanceCount()
    {
        var status = CnpgStatusDocuments.Cluster("olm-sample-cluster.v1.30.0.json");

        Assert.Equal("cluster-sample", status.Name);
        Assert.Equal(3, status.Instances);
        Assert.Null(status.ReadyInstances);
        Assert.Null(status.Phase);
        Assert.Empty(status.Conditions);
        Assert.False(status.SaysReady);
    }

    [Fact]
    public void EveryReportedFieldOfAHealthyReplicaIsRead()
    {
        var status = CnpgStatusDocuments.Cluster("composed-replica-healthy.v1.30.json");

        Assert.Equal(CnpgApi.HealthyPhase, status.Phase);
        Assert.Equal(("pg-us-1", "pg-us-1"), (status.CurrentPrimary, status.TargetPrimary));
        Assert.Equal((1, 1), (status.ReadyInstances, status.Instances));
        Assert.Equal(1, status.TimelineId);
        Assert.Equal(new CnpgInstanceState(false, "10.244.0.17", 1), status.InstancesReportedState["pg-us-1"]);
        Assert.True(status.SaysReady);
    }

    [Fact]
    public void ADemotedPrimaryCarriesItsTokenAndBackupTimesAreRead()
    {
        var demoted = CnpgStatusDocuments.Cluster("composed-demoted-primary.v1.30.json");
        var primary = CnpgStatusDocuments.Cluster("composed-primary-two-instances.v1.30.json");

        Assert.StartsWith("eyJ", demoted.DemotionToken, StringComparison.Ordinal);
        Assert.Equal("2026-05-04T09:05:31Z", primary.FirstRecoverabilityPoint);
        Assert.Equal("2026-05-04T09:05:44Z", primary.LastSuccessfulBackup);
        Assert.Null(primary.DemotionToken);
    }

    [Fact]
    public void WithoutAReadyConditionTheHealthyPhaseIsReadiness()
    {
        var document = JsonDocument.Parse("""{"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "status": {"phase": "Cluster in healthy state"}}""").RootElement;

        Assert.True(CnpgClusterStatus.Parse(document).SaysReady);
    }

    [Fact]
    public void AFieldOfTheWrongTypeIsNullNotACrash()
    {
        var document = JsonDocument.Parse("""
            {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": 7,
             "status": {"readyInstances": "1", "instances": 1.5, "conditions": {"type": "Ready"}, "currentPrimary": null,
                        "instancesReportedState": {"pg-eu-1": "up"}}}
            """).RootElement;

        var status = CnpgClusterStatus.Parse(document);

        Assert.Null(status.Name);
        Assert.Null(status.ReadyInstances);
        Assert.Null(status.Instances);
        Assert.Null(status.CurrentPrimary);
        Assert.Empty(status.Conditions);
        Assert.Empty(status.InstancesReportedState);
    }

    [Fact]
    public void APoolerIsNotAClusterAndTheErrorSaysWhatItIs()
    {
        var error = Assert.Throws<CnpgDocumentException>(() => CnpgStatusDocuments.Cluster("olm-sample-pooler.v1.30.0.json"));

        Assert.Equal("expected a CNPG Cluster (postgresql.cnpg.io/v1), got kind 'Pooler' of apiVersion 'postgresql.cnpg.io/v1'", error.Message);
    }

    [Theory]
    [InlineData("""{"apiVersion": "v1", "kind": "Cluster"}""", "got kind 'Cluster' of apiVersion 'v1'")]
    [InlineData("""{"kind": "Cluster"}""", "apiVersion '(none)'")]
    [InlineData("""[]""", "got a JSON array")]
    public void ADocumentThatIsNotACnpgClusterIsRefused(string json, string expected)
    {
        var error = Assert.Throws<CnpgDocumentException>(() => CnpgClusterStatus.Parse(JsonDocument.Parse(json).RootElement));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CnpgsOwnV130PoolerSampleHasNoPhase()
    {
        var pooler = CnpgStatusDocuments.Pooler("olm-sample-pooler.v1.30.0.json");

        Assert.Equal(("pooler-sample-rw", "cluster-sample", "rw"), (pooler.Name, pooler.Cluster, pooler.Type));
        Assert.Equal(1, pooler.Instances);
        Assert.Null(pooler.Phase);
        Assert.Null(pooler.Error);
    }

    [Fact]
    public void AnActivePoolerReadsItsPhase()
    {
        var pooler = CnpgStatusDocuments.Pooler("composed-pooler-active.v1.30.json");

        Assert.Equal(CnpgPoolerStatus.ActivePhase, pooler.Phase);
        Assert.Equal("pg-eu", pooler.Cluster);
    }

    [Fact]
    public void AClusterIsNotAPooler() =>
        Assert.Throws<CnpgDocumentException>(() => CnpgStatusDocuments.Pooler("composed-replica-healthy.v1.30.json"));
}

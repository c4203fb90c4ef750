using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Cnpg;

/// <summary>What CNPG v1.30 makes of the rendered manifests of the prod stack (see docs/cnpg-fidelity.md).</summary>
public sealed class CnpgRealisationTests
{
    private static readonly TopologyConfig Prod = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));
    private static readonly IssuedPki Pki = CertificateIssuer.Issue(PkiPlan.For(Prod));
    private static readonly ControllerPaths Paths = new("/controller");

    // Issue 8: the pooler logged in as cnpg_pooler_pgbouncer, a role CNPG never creates for a Pooler with its own
    // serverTLSSecret, so every PgBouncer login failed on a real cluster.
    [Fact]
    public void PoolerBackendIdentityIsARoleTheClusterCreatesAndMaps()
    {
        var eu = Realise("eu");

        Assert.Equal(RoleNames.Pooler, eu.Pooler.AuthUser);
        Assert.False(InstanceBootstrap.IsReserved(eu.Pooler.AuthUser));
        var setup = eu.Instance.PrimarySetup.SelectMany(b => b.Statements).ToList();
        Assert.Contains(setup, s => s.StartsWith($"CREATE ROLE \"{RoleNames.Pooler}\" ", StringComparison.Ordinal) && s.Contains(" LOGIN ", StringComparison.Ordinal));
        Assert.DoesNotContain(setup, s => s.Contains("cnpg_pooler_pgbouncer", StringComparison.Ordinal));
        Assert.Contains($"hostssl all {RoleNames.Pooler} all cert map=crosscluster", Lines(eu.Instance.HbaFile));
        Assert.Contains($"crosscluster {RoleNames.Pooler} {RoleNames.Pooler}", Lines(eu.Instance.IdentFile));
        Assert.Contains($"crosscluster {RoleNames.Pooler} {Prod.Postgres.Owner}", Lines(eu.Instance.IdentFile));
    }

    // Issue 8: CNPG appends `host all all all scram-sha-256` and gives the owner a password, so without a reject
    // rule before it the app logged in with its password over plaintext.
    [Fact]
    public void PgHbaRejectsEverythingBeforeCnpgsPasswordRule()
    {
        var rules = Lines(Realise("eu").Instance.HbaFile).Where(l => !l.StartsWith('#')).ToList();

        Assert.Equal(HostBasedAccess.DefaultRule, rules[^1]);
        Assert.Equal("host all all all reject", rules[^2]);
        Assert.True(rules.IndexOf("hostssl replication streaming_replica all cert map=cnpg_streaming_replica") < rules.IndexOf($"hostssl all {Prod.Postgres.Owner} all cert map=crosscluster"));
    }

    // Issue 14: a delayed replica is CNPG's replica.minApplyDelay, which its instances apply as recovery_min_apply_delay.
    [Fact]
    public void ADelayedReplicaRendersMinApplyDelayAndItsInstancesApplyItInWholeSeconds()
    {
        var topology = Prod with { Regions = [.. Prod.Regions.Select(r => r.Name == "us" ? r with { Replication = new RegionReplicationConfig { MinApplyDelay = "1h30m" } } : r)] };
        Assert.Empty(TopologyValidator.Validate(topology));
        var manifests = TopologyManifests.For(topology, Pki.Plan).ToDictionary(m => m.Region);
        RegionRealisation Of(string region) => RegionRealisation.For(manifests[region], Pki.Material, Paths, "postgres", "password");

        var replica = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)manifests["us"].Cluster.Body["spec"]!)["replica"]!;
        Assert.Equal("1h30m", replica["minApplyDelay"]);
        Assert.Equal("5400s", Of("us").Instance.Parameters["recovery_min_apply_delay"]);
        Assert.DoesNotContain("recovery_min_apply_delay", Of("eu").Instance.Parameters.Keys);
    }

    // replication.archiveTimeout bounds how far an archive-only replica lags a quiet primary; PostgreSQL takes the
    // parameter verbatim and reads Go's 'm' as no unit it knows, so it is written in seconds.
    [Theory]
    [InlineData("2s", "2s")]
    [InlineData("1m", "60s")]
    [InlineData("1h30m", "5400s")]
    public void ArchiveTimeoutIsRenderedInSecondsIntoEveryClustersParameters(string configured, string rendered)
    {
        var topology = Prod with { Replication = Prod.Replication with { ArchiveTimeout = configured } };
        Assert.Empty(TopologyValidator.Validate(topology));
        var manifests = TopologyManifests.For(topology, Pki.Plan);

        foreach (var region in manifests)
        {
            var postgresql = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)region.Cluster.Body["spec"]!)["postgresql"]!;
            Assert.Equal(rendered, ((IReadOnlyDictionary<string, object?>)postgresql["parameters"]!)["archive_timeout"]);
            Assert.Equal(rendered, RegionRealisation.For(region, Pki.Material, Paths, "postgres", "password").Instance.Parameters["archive_timeout"]);
        }
    }

    [Fact]
    public void WithoutArchiveTimeoutTheClusterKeepsCnpgsFiveMinutes()
    {
        var postgresql = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)TopologyManifests.For(Prod, Pki.Plan).Single(r => r.Region == "eu").Cluster.Body["spec"]!)["postgresql"]!;

        Assert.False(((IReadOnlyDictionary<string, object?>)postgresql["parameters"]!).ContainsKey("archive_timeout"));
        Assert.Equal("5min", Realise("eu").Instance.Parameters["archive_timeout"]);
    }

    [Fact]
    public void EveryInstanceRunsTheWanReplicationTimeoutsUnderTheUsersParameters()
    {
        var edited = Prod with { Postgres = Prod.Postgres with { Parameters = new Dictionary<string, string> { ["wal_receiver_timeout"] = "45s", ["work_mem"] = "8MB" } } };

        var manifests = TopologyManifests.For(edited, Pki.Plan).Single(r => r.Region == "us");
        var realised = RegionRealisation.For(manifests, Pki.Material, Paths, "postgres", "password").Instance.Parameters;

        Assert.Equal("30s", realised["wal_sender_timeout"]);
        Assert.Equal("45s", realised["wal_receiver_timeout"]);
        Assert.Equal("8MB", realised["work_mem"]);
    }

    [Fact]
    public void PgBouncerIniIsCnpgsWithCertificateAuthAndNoAuthFile()
    {
        var ini = Lines(Realise("us").Pooler.Render());

        Assert.Equal("* = host=pg-us-rw", ini[1]);
        Assert.Contains($"auth_user = {RoleNames.Pooler}", ini);
        Assert.Contains("auth_dbname = postgres", ini);
        Assert.Contains("auth_type = cert", ini);
        Assert.Contains("client_tls_sslmode = verify-full", ini);
        Assert.Contains("server_tls_sslmode = verify-full", ini);
        Assert.Contains("ignore_startup_parameters = extra_float_digits,options", ini);
        Assert.Contains($"server_tls_cert_file = {Paths.PoolerServerCertificate}", ini);
        Assert.DoesNotContain(ini, l => l.StartsWith("auth_file", StringComparison.Ordinal));
    }

    [Fact]
    public void PoolerPresentsItsBackendCertificateAndTrustsTheCaSecretsItNames()
    {
        var pooler = Realise("eu").Pooler;
        var files = pooler.Files.ToDictionary(f => f.Path, f => f.Content);
        var certificates = Pki.Plan.ForRegion("eu");

        Assert.Equal(Pki[certificates.PoolerBackend].ChainPem, files[Paths.PoolerServerCertificate]);
        Assert.Equal(Pki[certificates.PoolerBackend].PrivateKeyPem, files[Paths.PoolerServerKey]);
        Assert.Equal(Pki[certificates.Server].ChainPem, files[Paths.PoolerClientCertificate]);
        Assert.Equal(Pki.Root.CertificatePem, files[Paths.PoolerClientCa]);
        Assert.Equal(Pki.Root.CertificatePem, files[Paths.PoolerServerCa]);
    }

    [Fact]
    public void ReplicaClusterStreamsWithTheSourceEntrysParametersAndSecretFiles()
    {
        var us = Realise("us");
        var source = Assert.IsType<ExternalClusterConnection>(us.Instance.Source);
        var certificate = Paths.ExternalSecretKey("pg-eu", "pg-us-replication-tls", "tls.crt");

        Assert.True(us.Instance.IsReplicaCluster);
        Assert.Equal("pg-eu", source.Source);
        Assert.Equal($"connect_timeout='10' dbname='postgres' host='pg-eu-rw' port='5432' sslcert='{certificate}' sslkey='{Paths.ExternalSecretKey("pg-eu", "pg-us-replication-tls", "tls.key")}' sslmode='verify-full' sslrootcert='{Paths.ExternalSecretKey("pg-eu", "pg-us-server-ca", "ca.crt")}' user='streaming_replica'", source.PrimaryConnInfo);
        Assert.Equal(Pki[Pki.Plan.ForRegion("us").Replication].ChainPem, source.Files.Single(f => f.Path == certificate).Content);
        Assert.Equal("latest", us.Instance.RecoveryParameters()!["recovery_target_timeline"]);
        Assert.Empty(us.Instance.Initdb);
        Assert.Empty(us.Instance.PrimarySetup);
    }

    [Fact]
    public void SourceEntryWithoutConnectionParametersLeavesPrimaryConnInfoEmpty()
    {
        var us = Realise("us", spec => spec["externalClusters"] = ((List<object?>)spec["externalClusters"]!).Cast<Dictionary<string, object?>>()
            .Select(e => e.Where(p => p.Key is "name" or "plugin").ToDictionary(p => p.Key, p => p.Value)).ToList<object?>());

        Assert.False(us.Instance.Source!.Streams);
        Assert.Equal(string.Empty, us.Instance.RecoveryParameters()!["primary_conninfo"]);
    }

    [Fact]
    public void PrimaryClusterHasNoSourceAndArchivesOn()
    {
        var eu = Realise("eu");

        Assert.Null(eu.Instance.Source);
        Assert.Equal("on", eu.Instance.Parameters["archive_mode"]);
        Assert.Equal("always", Realise("us").Instance.Parameters["archive_mode"]);
        Assert.Equal(Paths.ClientCa, eu.Instance.Parameters["ssl_ca_file"]);
        Assert.Equal("TLSv1.3", eu.Instance.Parameters["ssl_min_protocol_version"]);
        Assert.Equal("pg-eu", eu.Instance.Parameters["cluster_name"]);
    }

    // Each Cluster archives into its own store only (the plugins entry), and a replica cluster's designated primary
    // restores from the store of its replica.source entry: the primary's archive is never written by a replica.
    [Theory]
    [InlineData("eu", "backups-eu", "pg-eu", null, null)]
    [InlineData("us", "backups-us", "pg-us", "backups-eu", "pg-eu")]
    [InlineData("ap", "backups-ap", "pg-ap", "backups-eu", "pg-eu")]
    public void ClusterArchivesToItsOwnStoreAndRestoresFromItsSourcesStore(string region, string store, string server, string? sourceStore, string? sourceServer)
    {
        var wal = Realise(region).Instance.Wal;

        Assert.Equal(new BarmanServer(store, server), wal.ArchiveTo);
        Assert.Equal(sourceStore is null ? null : new BarmanServer(sourceStore, sourceServer!), wal.RestoreFrom);
    }

    // plugin-barman-cloud's resolveRestoreObjectStore: a source entry naming no ObjectStore leaves the designated
    // primary restoring from its own, and NewFromCluster defaults serverName to the Cluster's own name.
    [Fact]
    public void SourceEntryWithoutAStoreLeavesTheDesignatedPrimaryRestoringFromItsOwnUnderItsOwnName()
    {
        var us = Realise("us", spec =>
        {
            spec["externalClusters"] = ((List<object?>)spec["externalClusters"]!).Cast<Dictionary<string, object?>>()
                .Select(e => e.Where(p => p.Key != "plugin").ToDictionary(p => p.Key, p => p.Value)).ToList<object?>();
            var plugin = (Dictionary<string, object?>)((List<object?>)spec["plugins"]!)[0]!;
            ((Dictionary<string, object?>)plugin["parameters"]!).Remove("serverName");
        });

        Assert.Equal(new BarmanServer("backups-us", "pg-us"), us.Instance.Wal.ArchiveTo);
        Assert.Equal(us.Instance.Wal.ArchiveTo, us.Instance.Wal.RestoreFrom);
    }

    [Fact]
    public void BarmanCloudPluginWithoutAnObjectStoreIsRefused()
    {
        var failure = Assert.Throws<CnpgRealisationException>(() => Realise("eu", spec =>
            ((Dictionary<string, object?>)((Dictionary<string, object?>)((List<object?>)spec["plugins"]!)[0]!)["parameters"]!).Remove("barmanObjectName")));

        Assert.Contains("barmanObjectName", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitdbCreatesTheOwnerWithLoginThenItsDatabaseAndSetsTheAppSecretsPassword()
    {
        var eu = Realise("eu", password: "s3cret");

        Assert.Equal(["CREATE ROLE \"app\" LOGIN"], eu.Instance.Initdb[0].Statements);
        Assert.Equal(["CREATE DATABASE \"app\" OWNER \"app\""], eu.Instance.Initdb[2].Statements);
        Assert.Contains("ALTER ROLE \"app\" WITH PASSWORD 's3cret'", eu.Instance.PrimarySetup.Single().Statements);
        var secret = ManifestDocument.ToObject(eu.AppSecret!);
        Assert.Equal("pg-eu-app", ((Dictionary<string, object?>)secret["metadata"]!)["name"]);
        var data = (Dictionary<string, object?>)secret["stringData"]!;
        Assert.Equal(("app", "s3cret"), (data["username"], data["password"]));
    }

    [Theory]
    [InlineData("ssl_ca_file")]
    [InlineData("hba_file")]
    [InlineData("primary_conninfo")]
    public void ParameterCnpgManagesIsRefusedByName(string parameter)
    {
        var failure = Assert.Throws<CnpgRealisationException>(() => Realise("eu", spec =>
            ((Dictionary<string, object?>)spec["postgresql"]!)["parameters"] = new Dictionary<string, object?> { [parameter] = "x" }));

        Assert.Contains($"spec.postgresql.parameters.{parameter}", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cnpg_pooler_pgbouncer")]
    [InlineData("streaming_replica")]
    [InlineData("pg_anything")]
    public void ReservedManagedRoleIsRefusedAsCnpgsWebhookDoes(string role)
    {
        var failure = Assert.Throws<CnpgRealisationException>(() => Realise("eu", spec =>
            ((List<object?>)((Dictionary<string, object?>)spec["managed"]!)["roles"]!).Add(new Dictionary<string, object?> { ["name"] = role, ["login"] = true })));

        Assert.Contains($"{role} is reserved", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionStringQuotesAsLibPqQuoteLiteral() =>
        Assert.Equal("a='x''y' b= E'c\\\\d'", ConnectionString.Render(new Dictionary<string, string> { ["b"] = "c\\d", ["a"] = "x'y" }));

    private static RegionRealisation Realise(string region, Action<Dictionary<string, object?>>? edit = null, string password = "password")
    {
        var manifests = TopologyManifests.For(Prod, Pki.Plan).Single(r => r.Region == region);
        if (edit is not null)
        {
            var spec = (Dictionary<string, object?>)ManifestDocument.ToObject(manifests.Cluster)["spec"]!;
            edit(spec);
            manifests = manifests with { Cluster = manifests.Cluster with { Body = new Dictionary<string, object?>(manifests.Cluster.Body) { ["spec"] = spec } } };
        }

        return RegionRealisation.For(manifests, Pki.Material, Paths, "postgres", password);
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}

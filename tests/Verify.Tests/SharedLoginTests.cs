using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// The checks that read an instance as the verify role (its tls check's login, recovery-role, and on the primary
/// streams-over-mtls) share one login per run: each login forks a PostgreSQL backend, and the servers' CPU is most of
/// what a run costs. Counted through Npgsql's own metrics, which name each data source verify builds after its role and
/// endpoint: every connection verify opens has a data source of its own, so the verify role's statements on an
/// instance are one batch on one connection, or one statement per connection as before. The tls checks' handshakes are
/// those logins' own: a bare handshake, which Npgsql does not see, forks a backend all the same, so those are counted
/// at the endpoints.
/// </summary>
[Collection(SharedHealthySandbox.Name)]
public sealed class SharedLoginTests(HealthySandbox fixture)
{
    // Recorded once per command or batch, tagged with the data source's name (https://www.npgsql.org/doc/diagnostics/metrics.html).
    private const string Operation = "db.client.operation.duration";

    [Fact]
    public async Task EachInstanceIsReadOnceAsTheVerifyRolePerRun()
    {
        var operations = new ConcurrentQueue<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, subscriber) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name == Operation)
                {
                    subscriber.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "db.client.connection.pool.name" && tag.Value is string pool)
                {
                    operations.Enqueue(pool);
                }
            }
        });
        listener.Start();

        var report = await VerifyRunner.RunAsync(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions());

        Assert.True(report.Passed);
        foreach (var region in fixture.Sandbox.Outputs.Regions)
        {
            var verifyRole = $"{region.Clients[ClientNames.Verify].User}@{region.Instance.Host}:{region.Instance.Port}";
            Assert.True(operations.Count(pool => pool == verifyRole) == 1, $"{verifyRole} ran {operations.Count(pool => pool == verifyRole)} statements; every statement counted: {string.Join(", ", operations.Order(StringComparer.Ordinal))}");
        }
    }

    [Fact]
    public async Task TheTlsChecksMakeTheirHandshakeOnTheSharedLogin()
    {
        // Each endpoint behind a forwarder that counts the connections made to it: a bare handshake counts as one.
        var forwarders = new List<CountingForwarder>();
        try
        {
            CountingForwarder Forward(Endpoint endpoint)
            {
                var forwarder = new CountingForwarder(endpoint.Port);
                forwarders.Add(forwarder);
                return forwarder;
            }

            var counted = new Dictionary<string, CountingForwarder>(StringComparer.Ordinal);
            var outputs = fixture.Sandbox.Outputs with
            {
                Regions = [.. fixture.Sandbox.Outputs.Regions.Select(region =>
                {
                    var (instance, pooler) = (Forward(region.Instance), Forward(region.Pooler));
                    counted[region.Instance.ServerName] = instance;
                    counted[region.Pooler.ServerName] = pooler;
                    return region with { Instance = region.Instance with { Port = instance.Port }, Pooler = region.Pooler with { Port = pooler.Port } };
                })],
            };
            await using var context = new CheckContext(outputs, fixture.Sandbox.VerifyOptions());

            // What each tls check reports (protocol, cipher, server certificate, root, role) and what certificate-generations
            // judges, with the instances' role and streaming checks reading through the same login.
            var results = await CheckSuite.RunAsync(context, [.. TlsChecks.For(context), .. CertificateGenerationChecks.For(context), .. ReplicationChecks.For(context).Where(c => c.Name != "write-visible")], null, CancellationToken.None);

            Assert.All(results, r => Assert.True(r.Status == CheckStatus.Passed, $"{r.Name} {r.Region}: {r.Detail} {r.Diagnosis}"));
            Assert.All(counted, c => Assert.True(c.Value.Accepted == 1, $"{c.Key}: {c.Value.Accepted} connections"));
        }
        finally
        {
            foreach (var forwarder in forwarders)
            {
                await forwarder.DisposeAsync();
            }
        }
    }
}

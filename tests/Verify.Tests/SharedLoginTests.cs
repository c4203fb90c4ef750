using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// The checks that read an instance as the verify role (its tls check's login, recovery-role, and on the primary
/// streams-over-mtls) share one login per run: each login forks a PostgreSQL backend, and the servers' CPU is most of
/// what a run costs. Counted through Npgsql's own metrics, which name each data source verify builds after its role and
/// endpoint: every connection verify opens has a data source of its own, so the verify role's statements on an
/// instance are one batch on one connection, or one statement per connection as before.
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
}

using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// <c>--kube</c> on a healthy sandbox where no Kubernetes API answers (no fake one is started: the kubeconfig points at a
/// closed loopback port, or lacks the context): every CNPG check fails with a diagnosis naming the context, the object
/// and the cause, and every other check is as without <c>--kube</c>.
/// </summary>
[Collection(SharedHealthySandbox.Name)]
public sealed class CnpgReadFailureTests(HealthySandbox fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-kubeconfig-").FullName;

    [Fact]
    public async Task AnUnreachableApiAndAMissingContextFailTheCnpgChecksNamingContextObjectAndCause()
    {
        var kubeconfig = Path.Combine(_directory, "config");

        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: closed
              cluster:
                server: https://127.0.0.1:1
            contexts:
            - name: closed
              context:
                cluster: closed
                user: nobody
            users:
            - name: nobody
              user:
                token: not-a-token
            current-context: closed
            """);
        var kube = new KubeOptions(new Dictionary<string, string> { ["eu"] = "closed", ["us"] = "absent" }, kubeconfig, "default");

        var report = await VerifyRunner.RunAsync(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions() with { Kube = kube });

        var cnpg = report.Checks.Where(c => c.Name.StartsWith("cnpg-", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, cnpg.Count);
        Assert.All(cnpg, c => Assert.Equal(CheckStatus.Failed, c.Status));
        Assert.All(cnpg, c => Assert.DoesNotContain("   at ", c.Diagnosis, StringComparison.Ordinal));

        var eu = Assert.Single(cnpg, c => c.Name == CnpgView.StatusCheck && c.Region == "eu");
        Assert.StartsWith("context closed: reading Cluster default/pg-eu (postgresql.cnpg.io/v1): the API server is unreachable (", eu.Diagnosis, StringComparison.Ordinal);
        var pooler = Assert.Single(cnpg, c => c.Name == CnpgView.PoolerStatusCheck && c.Region == "eu");
        Assert.StartsWith("context closed: reading Pooler default/pg-eu-pooler-rw (postgresql.cnpg.io/v1): the API server is unreachable", pooler.Diagnosis, StringComparison.Ordinal);
        var us = Assert.Single(cnpg, c => c.Name == CnpgView.StatusCheck && c.Region == "us");
        Assert.StartsWith($"context absent: reading Cluster default/pg-us (postgresql.cnpg.io/v1): --kubeconfig {kubeconfig} gives no usable context absent (", us.Diagnosis, StringComparison.Ordinal);
        var streaming = Assert.Single(cnpg, c => c.Name == CnpgView.ReadyButNotStreamingCheck);
        Assert.StartsWith("nothing to compare with verify's SQL view: context absent", streaming.Diagnosis, StringComparison.Ordinal);

        var others = report.Checks.Where(c => !c.Name.StartsWith("cnpg-", StringComparison.Ordinal)).Where(c => c.Status != CheckStatus.Passed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}");
        Assert.Empty(others);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

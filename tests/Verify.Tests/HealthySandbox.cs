using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Tests.Verify;

/// <summary>A healthy two-region sandbox and one verify report on it, shared by the tests that only read them.</summary>
public sealed class HealthySandbox : IAsyncLifetime
{
    private RunningSandbox? _sandbox;
    private VerifyReport? _report;

    /// <summary>The sandbox.</summary>
    public RunningSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("The sandbox did not start.");

    /// <summary>verify's report on the healthy sandbox.</summary>
    public VerifyReport Report => _report ?? throw new InvalidOperationException("verify did not run.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-verify-test-{Guid.NewGuid():N}") });
        _report = await VerifyRunner.RunAsync(_sandbox.Outputs, _sandbox.VerifyOptions());
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }
}

/// <summary>The tests that share <see cref="HealthySandbox"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedHealthySandbox : ICollectionFixture<HealthySandbox>
{
    /// <summary>Collection name.</summary>
    public const string Name = "healthy sandbox";
}

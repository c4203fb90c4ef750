using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>One two-region sandbox for the whole collection, always torn down.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private RunningSandbox? _sandbox;

    /// <summary>The running sandbox.</summary>
    public RunningSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("The sandbox did not start.");

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        _sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }
}

/// <summary>The collection that shares <see cref="SandboxFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSandbox : ICollectionFixture<SandboxFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "sandbox";
}

namespace CrossClusterIac.Tests.Infra;

/// <summary>The Pulumi runtime is process-wide: every mocked deployment runs in this one serial collection.</summary>
[CollectionDefinition(Name)]
public sealed class SerialPulumiRuntime
{
    /// <summary>Collection name.</summary>
    public const string Name = "Pulumi runtime";
}

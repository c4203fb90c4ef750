using System.Collections.Immutable;
using CrossClusterIac.Infra.Stacks;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using Pulumi.Testing;

namespace CrossClusterIac.Tests.Infra;

/// <summary>One mocked <c>pulumi up</c> of <see cref="TopologyStack"/> with a given config.</summary>
internal sealed class MockedDeployment
{
    private MockedDeployment(TopologyMocks mocks, ImmutableArray<Resource> resources, IssuedPki pki)
    {
        Mocks = mocks;
        Resources = resources;
        Pki = pki;
    }

    /// <summary>The engine double with every registration.</summary>
    public TopologyMocks Mocks { get; }

    /// <summary>The resource objects the program created.</summary>
    public ImmutableArray<Resource> Resources { get; }

    /// <summary>The certificates the mocks answered with.</summary>
    public IssuedPki Pki { get; }

    /// <summary>The stack object.</summary>
    public TopologyStack Stack => Resources.OfType<TopologyStack>().Single();

    /// <summary>Runs the program on a stack file of the repository.</summary>
    public static Task<MockedDeployment> RunAsync(string stack) => RunAsync(stack, StackConfigFile.Read(stack));

    /// <summary>Runs the program with explicit config entries.</summary>
    public static async Task<MockedDeployment> RunAsync(string stack, IReadOnlyDictionary<string, string> config)
    {
        var topology = TopologyConfigLoader.FromJson(config["cross-cluster-dr:topology"]);
        var pki = CertificateIssuer.Issue(PkiPlan.For(topology));
        var mocks = new TopologyMocks(pki);
        StackConfigFile.Use(config);
        var resources = await Deployment.TestAsync<TopologyStack>(
            mocks.Engine.Object,
            new TestOptions { IsPreview = false, ProjectName = "cross-cluster-dr", StackName = stack });
        return new MockedDeployment(mocks, resources, pki);
    }
}

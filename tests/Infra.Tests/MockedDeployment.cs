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

    /// <summary>The one resource of a type whose Pulumi name is <paramref name="name"/>.</summary>
    public Resource Named(string name) => Resources.Single(r => r.GetResourceName() == name);

    /// <summary>Runs the program on a stack file of the repository.</summary>
    public static Task<MockedDeployment> RunAsync(string stack) => RunAsync(stack, StackConfigFile.Read(stack));

    /// <summary>Runs the program with explicit config entries.</summary>
    public static Task<MockedDeployment> RunAsync(string stack, IReadOnlyDictionary<string, string> config) =>
        RunAsync<TopologyStack>(stack, config, MocksFor(config));

    /// <summary>Mocks that answer with certificates issued for the topology of <paramref name="config"/>.</summary>
    public static TopologyMocks MocksFor(IReadOnlyDictionary<string, string> config) =>
        new(CertificateIssuer.Issue(PkiPlan.For(TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]))));

    /// <summary>
    /// Runs <typeparamref name="TStack"/> (the stack, or a subclass that records) against <paramref name="mocks"/>, whose
    /// answers stand for the engine's state: the same mocks twice is a second run on the same state.
    /// </summary>
    public static async Task<MockedDeployment> RunAsync<TStack>(string stack, IReadOnlyDictionary<string, string> config, TopologyMocks mocks)
        where TStack : TopologyStack, new()
    {
        StackConfigFile.Use(config);
        var resources = await Deployment.TestAsync<TStack>(
            mocks.Engine.Object,
            new TestOptions { IsPreview = false, ProjectName = "cross-cluster-dr", StackName = stack });
        return new MockedDeployment(mocks, resources, mocks.Pki);
    }
}

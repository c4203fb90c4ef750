using System.Collections.Concurrent;
using System.Collections.Immutable;
using CrossClusterIac.Infra.Stacks;
using Pulumi;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>
/// The stack with a resource transformation that records each resource's explicit <c>DependsOn</c>: the mocked
/// monitor passes a resource's dependencies to no mock, but every transformation of the stack sees each child's
/// options (pulumi-dotnet Resources/Resource.cs, transformations run in the constructor).
/// </summary>
internal sealed class RecordedTopologyStack : TopologyStack
{
    private static readonly ConcurrentDictionary<string, Output<ImmutableArray<Resource>>> Recorded = new();

    public RecordedTopologyStack()
        : base(new StackOptions { ResourceTransformations = { Record } })
    {
    }

    /// <summary>Forgets what an earlier run recorded (the runtime is process-wide; these tests run serially).</summary>
    public static void Reset() => Recorded.Clear();

    /// <summary>The Pulumi names of what <paramref name="resource"/> was declared to depend on.</summary>
    public static async Task<IReadOnlyList<string>> DependenciesOf(string resource) =>
        (await OutputUtilities.GetValueAsync(Recorded[resource])).Select(r => r.GetResourceName()).ToList();

    private static ResourceTransformationResult? Record(ResourceTransformationArgs args)
    {
        Recorded[args.Resource.GetResourceName()] = args.Options.DependsOn.ToOutput();
        return null;
    }
}

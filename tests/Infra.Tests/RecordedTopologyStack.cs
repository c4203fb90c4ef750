using System.Collections.Concurrent;
using CrossClusterIac.Infra.Stacks;
using Pulumi;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>
/// The stack with a resource transformation that records each resource's arguments and options: the mocked monitor
/// passes a resource's dependencies, ignoreChanges and secretness of inputs to no mock, but every transformation of
/// the stack sees each child's arguments and options (pulumi-dotnet Resources/Resource.cs, transformations run in the constructor).
/// </summary>
internal sealed class RecordedTopologyStack : TopologyStack
{
    private static readonly ConcurrentDictionary<string, ResourceTransformationArgs> Recorded = new();

    public RecordedTopologyStack()
        : base(new StackOptions { ResourceTransformations = { Record } })
    {
    }

    /// <summary>Forgets what an earlier run recorded (the runtime is process-wide; these tests run serially).</summary>
    public static void Reset() => Recorded.Clear();

    /// <summary>The Pulumi names of what <paramref name="resource"/> was declared to depend on.</summary>
    public static async Task<IReadOnlyList<string>> DependenciesOf(string resource) =>
        (await OutputUtilities.GetValueAsync(Recorded[resource].Options.DependsOn.ToOutput())).Select(r => r.GetResourceName()).ToList();

    /// <summary>The options <paramref name="resource"/> was declared with.</summary>
    public static ResourceOptions OptionsOf(string resource) => Recorded[resource].Options;

    /// <summary>The arguments <paramref name="resource"/> was declared with, as the program built them.</summary>
    public static ResourceArgs ArgsOf(string resource) => Recorded[resource].Args;

    private static ResourceTransformationResult? Record(ResourceTransformationArgs args)
    {
        Recorded[args.Resource.GetResourceName()] = args;
        return null;
    }
}

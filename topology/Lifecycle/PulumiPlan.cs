namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>What <c>pulumi up</c> does to one resource.</summary>
public enum PlannedAction
{
    /// <summary>Nothing changes.</summary>
    Same,

    /// <summary>A new object.</summary>
    Create,

    /// <summary>Patched in place.</summary>
    Update,

    /// <summary>Deleted, then created again: absent in between.</summary>
    ReplaceDeleteFirst,

    /// <summary>Created anew (another name), then the old one deleted.</summary>
    ReplaceCreateFirst,

    /// <summary>Deleted.</summary>
    Delete,

    /// <summary>The engine refuses the step (a protected resource), or the API server refuses it; the update stops.</summary>
    Refused,

    /// <summary>The provider fails the step (its cluster does not answer); under <c>--continue-on-error</c> the update goes on, the resource as it was.</summary>
    Failed,

    /// <summary>Not attempted: something it waits for failed or was skipped; the resource stays as it was, its outputs unknown to the program.</summary>
    Skipped,
}

/// <summary>The plan for one resource, and why.</summary>
/// <param name="Action">What is done.</param>
/// <param name="Changed">The paths that differ after ignoreChanges.</param>
/// <param name="Reason">For a replacement or a refusal, the rule that caused it.</param>
public sealed record PlannedStep(PlannedAction Action, IReadOnlyList<string> Changed, string? Reason = null);

/// <summary>
/// Pulumi's plan for a resource between two states, from pulumi-kubernetes v4.32.0's diff and the engine's resource
/// options: the rules are the tables below, each with the source it was read from; <see cref="Plan"/> reads them.
/// </summary>
public static class PulumiPlan
{
    /// <summary>
    /// Paths whose change makes pulumi-kubernetes replace the object (provider/pkg/provider/diff.go forceNewProperties,
    /// for the kinds this project declares; prefix match, openapi/match.go PatchPropertiesChanged). Every kind:
    /// <c>metadata.name</c> and <c>metadata.namespace</c> (metadataForceNewProperties). Secret: <c>type</c>, and
    /// <c>data</c>/<c>stringData</c> unless enableSecretMutable; ConfigMap: <c>data</c>/<c>binaryData</c> unless
    /// enableConfigMapMutable. Service: <c>spec.clusterIP</c> only (not <c>spec.type</c>). Namespace, EndpointSlice and
    /// every custom resource: nothing beyond metadata.
    /// </summary>
    public static IReadOnlyList<string> ForceNew(string kind, bool mutableSecretsAndConfigMaps) => kind switch
    {
        "Secret" => mutableSecretsAndConfigMaps ? [.. Metadata, "type"] : [.. Metadata, "type", "data", "stringData"],
        "ConfigMap" => mutableSecretsAndConfigMaps ? Metadata : [.. Metadata, "data", "binaryData"],
        "Service" => [.. Metadata, "spec.clusterIP"],
        _ => Metadata,
    };

    /// <summary>
    /// Paths the API server refuses to change in place, which pulumi-kubernetes does not replace: the update fails.
    /// EndpointSlice <c>addressType</c> is immutable (kubernetes/kubernetes pkg/apis/discovery/validation
    /// ValidateEndpointSliceUpdate: "field is immutable").
    /// </summary>
    public static IReadOnlyList<string> ImmutableInPlace(string kind) => kind switch
    {
        "EndpointSlice" => ["addressType"],
        _ => [],
    };

    private static readonly string[] Metadata = ["metadata.name", "metadata.namespace"];

    /// <summary>
    /// The step <paramref name="planned"/> becomes when the provider's cluster does not answer, from pulumi-kubernetes
    /// v4.32.0 provider/pkg/provider/provider.go: Check skips the schema validation and Diff compares the inputs alone
    /// (both on <c>clusterUnreachable</c>), so an unchanged resource is a same step, which calls no provider; Create and
    /// Update "require a connection to a k8s cluster" and fail; Delete fails unless <c>PULUMI_K8S_DELETE_UNREACHABLE</c>
    /// is set, when it removes the resource from the state alone ("Deleting the unreachable resource from Pulumi state").
    /// </summary>
    public static PlannedStep WhenUnreachable(PlannedStep planned, bool deleteUnreachable)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return planned.Action switch
        {
            PlannedAction.Same or PlannedAction.Refused => planned,
            PlannedAction.Delete when deleteUnreachable => planned with { Reason = "removed from the state alone (PULUMI_K8S_DELETE_UNREACHABLE): the cluster keeps it" },
            _ => new PlannedStep(PlannedAction.Failed, planned.Changed, $"{planned.Action}: configured Kubernetes cluster is unreachable"),
        };
    }

    /// <summary>
    /// The step for <paramref name="key"/> from <paramref name="before"/> to <paramref name="after"/> (either may be
    /// absent), with the options of both states (the engine checks protection on both for a replacement, on the old
    /// state for a delete) and <paramref name="replace"/> for <c>pulumi up --replace</c>, which the engine answers with a
    /// replace diff without asking the provider (pulumi/pulumi pkg/resource/deploy/step_generator.go diff).
    /// </summary>
    public static PlannedStep Plan(ObjectKey key, ObjectImage? before, ObjectImage? after, ResourceOptions oldOptions, ResourceOptions newOptions, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(oldOptions);
        ArgumentNullException.ThrowIfNull(newOptions);
        if (before is null)
        {
            return after is null ? new PlannedStep(PlannedAction.Same, []) : new PlannedStep(PlannedAction.Create, [.. after.Paths.Keys]);
        }

        if (after is null)
        {
            // pkg/resource/deploy/step.go DeleteStep.Apply: "Refuse to delete protected resources" (old.Protect).
            return oldOptions.Protect
                ? new PlannedStep(PlannedAction.Refused, [], $"{key} is protected and no longer declared: the engine refuses to delete it (`pulumi state unprotect` first)")
                : new PlannedStep(PlannedAction.Delete, []);
        }

        var sent = Sent(before, after, newOptions);
        var changed = ObjectImage.ChangedPaths(before, sent);
        var forceNew = ForceNew(key.Kind, ResourcePolicy.MutableSecretsAndConfigMaps);
        var forcing = changed.FirstOrDefault(p => forceNew.Any(f => ObjectImage.Under(p, f)));
        if (!replace && forcing is null)
        {
            return changed.Count == 0
                ? new PlannedStep(PlannedAction.Same, [])
                : changed.FirstOrDefault(p => ImmutableInPlace(key.Kind).Any(f => ObjectImage.Under(p, f))) is { } immutable
                    ? new PlannedStep(PlannedAction.Refused, changed, $"the API server refuses to change a {key.Kind}'s {immutable} in place, and pulumi-kubernetes updates it in place")
                    : new PlannedStep(PlannedAction.Update, changed);
        }

        var reason = replace ? "pulumi up --replace" : $"pulumi-kubernetes replaces a {key.Kind} whose {forcing} changes";

        // step_generator.go: "we do allow unprotecting and replacing to happen in a single update cycle" (new.Protect && old.Protect).
        if (newOptions.Protect && oldOptions.Protect)
        {
            return new PlannedStep(PlannedAction.Refused, changed, $"{reason}, and it is protected: the engine refuses to replace it");
        }

        // provider.go Diff: a replacement keeping name and namespace is delete-first (the provider is not asked under
        // --replace); the option makes any replacement so.
        var sameName = before.Manifest.Name == after.Manifest.Name && before.Manifest.Namespace == after.Manifest.Namespace;
        return new PlannedStep(newOptions.DeleteBeforeReplace || (!replace && sameName)
            ? PlannedAction.ReplaceDeleteFirst
            : PlannedAction.ReplaceCreateFirst, changed, reason);
    }

    /// <summary>
    /// What the engine sends for an update: the new inputs with every ignored path's old value
    /// (pkg/resource/deploy/step_generator.go processIgnoreChanges); a replacement also keeps them (pulumi/pulumi #2657).
    /// </summary>
    public static ObjectImage Sent(ObjectImage before, ObjectImage after, ResourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(options);
        return options.IgnoreChanges.Aggregate(after, (image, path) => image.WithPathFrom(before, path));
    }
}

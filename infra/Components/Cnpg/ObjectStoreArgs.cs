using Pulumi;

namespace CrossClusterIac.Infra.Components.Cnpg;

/// <summary>Arguments of a barman-cloud <c>barmancloud.cnpg.io/v1</c> ObjectStore; the spec is the manifest model's body.</summary>
public sealed class ObjectStoreArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs, ICnpgSpecArgs
{
    /// <summary>Creates arguments for the ObjectStore kind.</summary>
    public ObjectStoreArgs()
        : base("barmancloud.cnpg.io/v1", "ObjectStore")
    {
    }

    /// <summary>The ObjectStore spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; set; } = new();
}

using Pulumi;

namespace CrossClusterIac.Infra.Components.Cnpg;

/// <summary>Arguments of a CNPG <c>postgresql.cnpg.io/v1</c> Cluster; the spec is the manifest model's body.</summary>
public sealed class ClusterArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs, ICnpgSpecArgs
{
    /// <summary>Creates arguments for the Cluster kind.</summary>
    public ClusterArgs()
        : base("postgresql.cnpg.io/v1", "Cluster")
    {
    }

    /// <summary>The Cluster spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; set; } = new();
}

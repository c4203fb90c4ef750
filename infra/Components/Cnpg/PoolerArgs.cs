using Pulumi;

namespace CrossClusterIac.Infra.Components.Cnpg;

/// <summary>Arguments of a CNPG <c>postgresql.cnpg.io/v1</c> Pooler; the spec is the manifest model's body.</summary>
public sealed class PoolerArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs, ICnpgSpecArgs
{
    /// <summary>Creates arguments for the Pooler kind.</summary>
    public PoolerArgs()
        : base("postgresql.cnpg.io/v1", "Pooler")
    {
    }

    /// <summary>The Pooler spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; set; } = new();
}

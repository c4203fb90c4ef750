using Pulumi;

namespace CrossClusterIac.Infra.Components.Cnpg;

/// <summary>A CNPG custom resource's arguments whose spec is filled from the manifest model's body.</summary>
public interface ICnpgSpecArgs
{
    /// <summary>The spec.</summary>
    InputMap<object> Spec { get; }
}

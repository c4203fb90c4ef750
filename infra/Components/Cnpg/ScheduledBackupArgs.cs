using Pulumi;

namespace CrossClusterIac.Infra.Components.Cnpg;

/// <summary>Arguments of a CNPG <c>postgresql.cnpg.io/v1</c> ScheduledBackup; the spec is the manifest model's body.</summary>
public sealed class ScheduledBackupArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs, ICnpgSpecArgs
{
    /// <summary>Creates arguments for the ScheduledBackup kind.</summary>
    public ScheduledBackupArgs()
        : base("postgresql.cnpg.io/v1", "ScheduledBackup")
    {
    }

    /// <summary>The ScheduledBackup spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; set; } = new();
}

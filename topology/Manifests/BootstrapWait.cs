using System.Globalization;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// What a replica region's Cluster waits for before it is created: the primary region's bootstrap Backup completed
/// (api/v1/backup_types.go BackupPhaseCompleted), read with kubectl in the primary's cluster. A replica Cluster created
/// before a base backup exists fails its restore Job ("no target backup found") until Kubernetes' backoff gives up and
/// CNPG marks it Unrecoverable. The program runs it once, when it creates the region (its inputs are ignored on
/// updates), so a switchover or a failover that moves the bootstrap Backup to a new primary re-points the replicas at
/// once, without waiting for that region's first full backup.
/// </summary>
/// <param name="SourceContext">The primary region's kube context.</param>
/// <param name="Namespace">The namespace of the Backup.</param>
/// <param name="Backup">The Backup's name.</param>
public sealed record BootstrapWait(string SourceContext, string Namespace, string Backup)
{
    /// <summary>How long a base backup of the primary may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    /// <summary>kubectl as the interpreter, with the context an argument of its own: no shell parses it.</summary>
    public IReadOnlyList<string> Interpreter =>
    [
        "kubectl", "--context", SourceContext, "--namespace", Namespace,
        "wait", "--for=jsonpath={.status.phase}=completed", string.Create(CultureInfo.InvariantCulture, $"--timeout={(int)Timeout.TotalSeconds}s"),
    ];

    /// <summary>The object waited for, the interpreter's last argument.</summary>
    public string Create => $"backup/{Backup}";
}

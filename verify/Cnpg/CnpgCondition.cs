namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// One entry of a Cluster's <c>status.conditions</c> (a Kubernetes <c>metav1.Condition</c>); a field the document
/// leaves out is <c>null</c>.
/// </summary>
/// <param name="Type">e.g. <c>Ready</c>, <c>ContinuousArchiving</c>, <c>LastBackupSucceeded</c>.</param>
/// <param name="Status"><c>True</c>, <c>False</c> or <c>Unknown</c>.</param>
/// <param name="Reason">e.g. <c>ClusterIsReady</c>.</param>
/// <param name="Message">e.g. <c>Cluster is Ready</c>.</param>
/// <param name="LastTransitionTime">RFC 3339, as the document gives it.</param>
public sealed record CnpgCondition(string? Type, string? Status, string? Reason, string? Message, string? LastTransitionTime)
{
    /// <summary>Whether the condition holds (<c>status: "True"</c>).</summary>
    public bool IsTrue => Status == "True";

    /// <summary>e.g. <c>True (ClusterIsReady)</c>, for a report.</summary>
    public string Summary => Reason is null ? Status ?? "no status" : $"{Status ?? "no status"} ({Reason})";
}

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// A file CNPG writes in a pod. CNPG writes every certificate, key and CA file with mode 0600
/// (<c>fileutils.WriteFileAtomic(…, 0o600)</c> in <c>pkg/reconciler/instance/certificate/reconciler.go</c> and
/// <c>pkg/management/external/utils.go</c>); whoever writes it here does the same.
/// </summary>
/// <param name="Path">Where, under <see cref="ControllerPaths"/>.</param>
/// <param name="Content">The text.</param>
public sealed record ConfigFile(string Path, string Content);

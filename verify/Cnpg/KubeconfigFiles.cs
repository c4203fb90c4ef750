namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// Which kubeconfig files verify reads, in kubectl's order (client-go tools/clientcmd/loader.go,
/// NewDefaultClientConfigLoadingRules and ClientConfigLoadingRules.Load): <c>--kubeconfig</c> alone when given (it must
/// exist); else every file <c>KUBECONFIG</c> lists (split on the path separator, each once, missing ones skipped,
/// merged with the first to set a name winning); else <c>~/.kube/config</c>.
/// </summary>
public static class KubeconfigFiles
{
    /// <summary>The files in precedence order, existing or not.</summary>
    /// <param name="explicitPath"><c>--kubeconfig</c>, or <c>null</c>.</param>
    /// <param name="variable">The <c>KUBECONFIG</c> environment variable, or <c>null</c>.</param>
    /// <param name="homeFile">The home directory's kubeconfig (<c>~/.kube/config</c>).</param>
    public static IReadOnlyList<string> Precedence(string? explicitPath, string? variable, string homeFile)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return [explicitPath];
        }

        return string.IsNullOrEmpty(variable)
            ? [homeFile]
            : [.. variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Where the files came from, for a diagnosis: <c>--kubeconfig F</c>, <c>KUBECONFIG (F1:F2)</c> or <c>F</c>.</summary>
    public static string Describe(string? explicitPath, string? variable, string homeFile) =>
        !string.IsNullOrEmpty(explicitPath) ? $"--kubeconfig {explicitPath}"
            : !string.IsNullOrEmpty(variable) ? $"KUBECONFIG ({variable})"
            : homeFile;
}

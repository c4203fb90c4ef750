using System.Text.RegularExpressions;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// The PostgreSQL operand image, which must say what it runs on: physical replicas of a primary whose OS has another
/// glibc can sort text differently, and a rolling tag such as <c>postgresql:15</c> changes OS release under a running
/// topology. CNPG v1.30.0 names its own default with the OS release (pkg/versions/versions.go DefaultImageName,
/// <c>postgresql:18.4-system-trixie</c>) and its image catalog lists <c>15.14-system-trixie</c>
/// (docs/src/image_catalog.md); a digest pins any image.
/// </summary>
public static partial class OperandImage
{
    /// <summary>PostgreSQL 15 on Debian trixie, CNPG's system flavour, as its image catalog names it.</summary>
    public const string Default = "ghcr.io/cloudnative-pg/postgresql:15.14-system-trixie";

    /// <summary>Whether <paramref name="image"/> names a Debian release in its tag, or is pinned by a sha256 digest.</summary>
    public static bool NamesItsRelease(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Digest().IsMatch(image) || Release().IsMatch(image);
    }

    [GeneratedRegex("@sha256:[0-9a-f]{64}$")]
    private static partial Regex Digest();

    // A tag (after the last '/') whose words include a Debian code name, as CNPG's tags end (-system-trixie, -bookworm).
    [GeneratedRegex(@":[^/:@]*[-_.](bullseye|bookworm|trixie|forky)([-_.][^/:@]*)?$")]
    private static partial Regex Release();
}

using System.Text.Json;
using CrossClusterIac.Verify.Cnpg;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The status documents in CnpgStatus/, whose README says where each comes from.</summary>
internal static class CnpgStatusDocuments
{
    public static JsonElement Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CnpgStatus", file)));
        return document.RootElement.Clone();
    }

    public static CnpgClusterStatus Cluster(string file) => CnpgClusterStatus.Parse(Load(file));

    public static CnpgPoolerStatus Pooler(string file) => CnpgPoolerStatus.Parse(Load(file));
}

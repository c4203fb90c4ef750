using System.Text;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// A libpq connection string as CNPG renders one (<c>pkg/configfile/connection_string.go</c>
/// CreateConnectionString): keys sorted, each value quoted as lib/pq's QuoteLiteral does.
/// </summary>
public static class ConnectionString
{
    /// <summary>Renders <paramref name="parameters"/>; empty for none, which makes <c>primary_conninfo</c> empty.</summary>
    public static string Render(IReadOnlyDictionary<string, string> parameters) =>
        string.Join(' ', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={QuoteLiteral(p.Value)}"));

    // lib/pq QuoteLiteral: double every quote; with a backslash, double those too and prefix " E".
    private static string QuoteLiteral(string value)
    {
        var quoted = new StringBuilder(value.Replace("'", "''", StringComparison.Ordinal));
        if (value.Contains('\\', StringComparison.Ordinal))
        {
            quoted.Replace("\\", "\\\\");
            return $" E'{quoted}'";
        }

        return $"'{quoted}'";
    }
}

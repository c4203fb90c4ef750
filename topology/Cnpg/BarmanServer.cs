namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// Where barman-cloud keeps one server's WAL: an ObjectStore, and the server name its objects are stored under
/// (barman's <c>&lt;destinationPath&gt;/&lt;serverName&gt;/wals/…</c>).
/// </summary>
/// <param name="ObjectStore">The ObjectStore's name (the plugin's <c>barmanObjectName</c> parameter).</param>
/// <param name="ServerName">The plugin's <c>serverName</c> parameter.</param>
public sealed record BarmanServer(string ObjectStore, string ServerName);

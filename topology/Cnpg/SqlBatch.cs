namespace CrossClusterIac.Topology.Cnpg;

/// <summary>Statements CNPG runs in one database, in order.</summary>
/// <param name="Database">The database they run in.</param>
/// <param name="Statements">One SQL statement each.</param>
public sealed record SqlBatch(string Database, IReadOnlyList<string> Statements);

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>A document handed to a CNPG status parser is not the kind of object it reads (not a Cluster, not a Pooler, not an object).</summary>
public sealed class CnpgDocumentException(string message) : Exception(message);

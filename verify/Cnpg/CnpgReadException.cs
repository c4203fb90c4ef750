namespace CrossClusterIac.Verify.Cnpg;

/// <summary>CNPG's view could not be read; the message names the context, the object and the cause, for a check's diagnosis.</summary>
public sealed class CnpgReadException(string message, Exception? inner = null) : Exception(message, inner);

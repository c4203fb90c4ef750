namespace CrossClusterIac.Verify;

/// <summary>Bad input or usage: verify exits 2 with this message.</summary>
public sealed class UsageException(string message) : Exception(message);

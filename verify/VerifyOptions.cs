namespace CrossClusterIac.Verify;

/// <summary>Limits and thresholds of a verify run.</summary>
public sealed record VerifyOptions
{
    /// <summary>Limit for each connection attempt and each wait (replication, data arrival).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Replication lag above which the replication check fails.</summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Rows in the data batch that must arrive whole on every replica.</summary>
    public int Rows { get; init; } = 1000;

    /// <summary>A certificate expiring in fewer days than this is reported as a warning.</summary>
    public int ExpiryWarningDays { get; init; } = 30;

    /// <summary>The owner's password from the primary's app Secret, tried where only certificates may work; <c>null</c> tries a wrong one.</summary>
    public AppCredentials? AppSecret { get; init; }

    /// <summary>Where to read CNPG's view of each region (<c>--kube</c>); <c>null</c> leaves CNPG's view out.</summary>
    public Cnpg.KubeOptions? Kube { get; init; }
}

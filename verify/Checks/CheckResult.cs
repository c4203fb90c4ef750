namespace CrossClusterIac.Verify.Checks;

/// <summary>How a check ended.</summary>
public enum CheckStatus
{
    /// <summary>What was checked holds.</summary>
    Passed,

    /// <summary>It holds, but something needs attention soon (a certificate close to expiry).</summary>
    Warning,

    /// <summary>It does not hold; the diagnosis says why.</summary>
    Failed,
}

/// <summary>The outcome of one check, as reported.</summary>
/// <param name="Name">What was checked, e.g. <c>tls</c> or <c>refuses-expired-certificate</c>.</param>
/// <param name="Region">The region it concerns, or <c>null</c> for the whole topology.</param>
/// <param name="Status">Passed, warning or failed.</param>
/// <param name="Duration">Wall time of the check.</param>
/// <param name="Detail">What was observed.</param>
/// <param name="Diagnosis">On failure, what is wrong and where to look.</param>
/// <param name="Metrics">Figures a script may want, e.g. <c>lagMs</c>.</param>
public sealed record CheckResult(string Name, string? Region, CheckStatus Status, TimeSpan Duration, string Detail, string? Diagnosis, IReadOnlyDictionary<string, double>? Metrics = null)
{
    /// <summary>On failure, the server that stopped the check, when it is one; the report groups failures by it.</summary>
    public RootCause? Cause { get; init; }

    /// <summary>The timeline the region's instance runs on, where the check read it.</summary>
    public int? Timeline { get; init; }

    /// <summary>Whether CNPG fences the region's primary instance, where the check read its Cluster (<c>--kube</c>).</summary>
    public bool? Fenced { get; init; }
}

/// <summary>What a check's body returns; the runner adds name, region and timing.</summary>
/// <param name="Status">Passed, warning or failed.</param>
/// <param name="Detail">What was observed.</param>
/// <param name="Diagnosis">On failure, what is wrong.</param>
public sealed record CheckOutcome(CheckStatus Status, string Detail, string? Diagnosis = null)
{
    /// <summary>Figures a script may want, e.g. <c>lagMs</c>.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>On failure, the server that stopped the check, when it is one.</summary>
    public RootCause? Cause { get; init; }

    /// <summary>The timeline the region's instance runs on, where the check read it.</summary>
    public int? Timeline { get; init; }

    /// <summary>Whether CNPG fences the region's primary instance, where the check read its Cluster (<c>--kube</c>).</summary>
    public bool? Fenced { get; init; }

    /// <summary>A pass.</summary>
    public static CheckOutcome Pass(string detail) => new(CheckStatus.Passed, detail);

    /// <summary>A pass that needs attention.</summary>
    public static CheckOutcome Warn(string detail, string diagnosis) => new(CheckStatus.Warning, detail, diagnosis);

    /// <summary>A failure.</summary>
    public static CheckOutcome Fail(string detail, string diagnosis) => new(CheckStatus.Failed, detail, diagnosis);

    /// <summary>A failure with the server behind it, when the diagnosis found one.</summary>
    public static CheckOutcome Fail(string detail, Diagnosis diagnosis) => new(CheckStatus.Failed, detail, diagnosis.Text) { Cause = diagnosis.Cause };
}

/// <summary>One named check.</summary>
/// <param name="Name">What it checks.</param>
/// <param name="Region">The region it concerns, or <c>null</c>.</param>
/// <param name="Run">Its body.</param>
public sealed record Check(string Name, string? Region, Func<CancellationToken, Task<CheckOutcome>> Run)
{
    /// <summary>Time the check waits on purpose beyond its connections' limits (a delayed replica's delay), added to its limit.</summary>
    public TimeSpan Wait { get; init; }
}

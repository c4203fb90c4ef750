using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>One check's outcome from comparing CNPG's view of a region with verify's.</summary>
/// <param name="Name">The check, e.g. <c>cnpg-ready-but-not-streaming</c>.</param>
/// <param name="Outcome">Its outcome.</param>
public sealed record CnpgFinding(string Name, CheckOutcome Outcome);

using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// Which root every server's chain ends at. One root everywhere is the settled state; two mean a root rotation is
/// under way (some servers re-issued under the next root, some not yet), which is safe only while every bundle still
/// trusts both, so it is reported with the step that finishes it.
/// </summary>
public static class CertificateGenerationChecks
{
    /// <summary>One check over every endpoint.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        [new Check("certificate-generations", null, cancellationToken => RunAsync(context, cancellationToken))];

    private static async Task<CheckOutcome> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        // The tls checks' own handshakes, awaited together: none is made twice. An endpoint whose certificate was not
        // accepted is left out: its own tls check fails with the diagnosis, and this one judges what the others present.
        var answers = await Task.WhenAll(ConnectionTarget.All(context.Outputs).Select(async target =>
        {
            try
            {
                var anchor = await context.Login(target).Anchor.WaitAsync(cancellationToken);
                return (Target: target, Root: (string?)CertificateFacts.Name(anchor));
            }
            catch (Exception e) when (EndpointException.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                return (Target: target, Root: null);
            }
        }));

        var presented = answers.Where(a => a.Root is not null).ToList();
        var byRoot = presented.GroupBy(p => p.Root!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var trusted = string.Join(", ", context.Roots.Select(r => $"'{CertificateFacts.Name(r)}'"));
        var missing = answers.Where(a => a.Root is null).Select(a => a.Target.ToString()).ToList();
        var detail = string.Join("; ", byRoot.Select(g => $"under '{g.Key}': {string.Join(", ", g.Select(p => p.Target.ToString()))}"))
            + (missing.Count > 0 ? $"; no handshake with {string.Join(", ", missing)} (see its tls check)" : string.Empty)
            + $"; the outputs trust {trusted}";
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["rootsPresented"] = byRoot.Count, ["rootsTrusted"] = context.Roots.Count };
        if (presented.Count == 0)
        {
            return CheckOutcome.Warn(detail, "no server completed a TLS handshake, so which roots they present is unknown; the tls checks say why") with { Metrics = metrics };
        }

        if (byRoot.Count > 1)
        {
            return CheckOutcome.Warn(detail, $"servers present chains to {byRoot.Count} different roots: a root rotation is re-issuing (pki.rootRotation: signWithNext); every bundle must trust both until it completes with pki.rootGeneration raised by one and pki.rootRotation removed") with { Metrics = metrics };
        }

        return context.Roots.Count > 1
            ? CheckOutcome.Warn(detail, $"the outputs trust {context.Roots.Count} roots while every server presents one: a root rotation is under way; go on to the next phase (signWithNext re-issues under the next root, then raise pki.rootGeneration and remove pki.rootRotation)") with { Metrics = metrics }
            : CheckOutcome.Pass(detail) with { Metrics = metrics };
    }
}

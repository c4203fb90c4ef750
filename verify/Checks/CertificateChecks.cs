using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// Every certificate in the outputs chains to a trusted root with the right purpose, is valid now, and is not inside
/// its tier's renewal window; each one's serial, issuer and days left are reported.
/// </summary>
public static class CertificateChecks
{
    /// <summary>One check per region.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        context.Outputs.Regions.Select(region => new Check("certificate-chains", region.Name, _ => Task.FromResult(Run(context, region))));

    private static CheckOutcome Run(CheckContext context, RegionOutputs region)
    {
        var now = DateTime.UtcNow;
        var problems = new List<string>();
        var expiring = new List<string>();
        var inventory = new List<string>();
        var soonest = int.MaxValue;

        void Inspect(string label, string chainPem, System.Security.Cryptography.Oid purpose)
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            var leaf = chain[0];
            var verdict = CertificateChains.Verify(leaf, context.Roots, chain, purpose, now);
            inventory.Add($"{label}: {CertificateFacts.Summary(leaf, verdict.Anchor, now)}");
            if (CertificateFacts.TimeProblem(leaf, now) is { } time)
            {
                problems.Add($"{label} ({CertificateFacts.Describe(leaf)}) is {time}");
            }
            else if (!verdict.Trusted)
            {
                problems.Add($"{label}: {string.Join(", ", verdict.Problems)}");
            }

            var days = CertificateFacts.DaysLeft(leaf, now);
            soonest = Math.Min(soonest, days);
            var window = context.WarningDays(CertificateFacts.TierOf(leaf));
            if (days < window)
            {
                expiring.Add($"{label} has {days} d left, inside its {window}-day renewal window");
            }
        }

        Inspect("server CA", region.ServerCaCertificate, CertificateChains.ServerAuthentication);
        Inspect("client CA", region.ClientCaCertificate, CertificateChains.ClientAuthentication);
        foreach (var (name, client) in region.Clients.Where(c => c.Key != ClientNames.ExpiredProbe))
        {
            Inspect($"{name} ({client.User})", client.CertificateChain, CertificateChains.ClientAuthentication);
        }

        var detail = $"server CA, client CA and {region.Clients.Count - 1} client certificates chain to a trusted root with their EKU; soonest expiry in {soonest} d ({string.Join("; ", inventory)})";
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["certificateDaysLeft"] = soonest };
        if (problems.Count > 0)
        {
            return CheckOutcome.Fail(detail, $"{string.Join("; ", problems)}: re-issue it (`pulumi up` inside the renewal window, or `sandbox rotate`)") with { Metrics = metrics };
        }

        return expiring.Count > 0
            ? CheckOutcome.Warn(detail, $"{string.Join("; ", expiring)}: run `pulumi up` to re-issue it") with { Metrics = metrics }
            : CheckOutcome.Pass(detail) with { Metrics = metrics };
    }
}

using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Every certificate in the outputs chains to the root with the right purpose, and is not about to expire.</summary>
public static class CertificateChecks
{
    /// <summary>One check per region.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        context.Outputs.Regions.Select(region => new Check("certificate-chains", region.Name, _ => Task.FromResult(Run(context, region))));

    private static CheckOutcome Run(CheckContext context, RegionOutputs region)
    {
        var problems = new List<string>();
        var expiring = new List<string>();
        var soonest = int.MaxValue;

        void Inspect(string label, string chainPem, System.Security.Cryptography.Oid purpose)
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            var leaf = chain[0];
            var verdict = CertificateChains.Verify(leaf, context.Root, chain, purpose);
            if (!verdict.Trusted)
            {
                problems.Add($"{label}: {string.Join(", ", verdict.Problems)}");
            }

            var days = (int)Math.Floor((leaf.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays);
            soonest = Math.Min(soonest, days);
            if (days < context.Options.ExpiryWarningDays)
            {
                expiring.Add($"{label} expires in {days} d");
            }
        }

        Inspect("server CA", region.ServerCaCertificate, CertificateChains.ServerAuthentication);
        Inspect("client CA", region.ClientCaCertificate, CertificateChains.ClientAuthentication);
        foreach (var (name, client) in region.Clients.Where(c => c.Key != ClientNames.ExpiredProbe))
        {
            Inspect($"{name} ({client.User})", client.CertificateChain, CertificateChains.ClientAuthentication);
        }

        var detail = $"server CA, client CA and {region.Clients.Count - 1} client certificates chain to the root with their EKU; soonest expiry in {soonest} d";
        if (problems.Count > 0)
        {
            return CheckOutcome.Fail(string.Join("; ", problems), "a certificate does not chain to the shared root with the purpose it serves: reissue it from the region's intermediate");
        }

        return expiring.Count > 0
            ? CheckOutcome.Warn(detail, $"{string.Join("; ", expiring)}: rotate before the warning threshold of {context.Options.ExpiryWarningDays} days runs out")
            : CheckOutcome.Pass(detail);
    }
}

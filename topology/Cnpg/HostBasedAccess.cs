using System.Text;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// <c>pg_hba.conf</c> and <c>pg_ident.conf</c> as CNPG v1.30 writes them into PGDATA
/// (<c>pkg/postgres/configuration.go</c> hbaTemplateString, identTemplateString, CreateHBARules; the method of the
/// last rule from <c>pkg/management/postgres/configuration.go</c> GeneratePostgresqlHBA).
/// </summary>
public static class HostBasedAccess
{
    /// <summary>The catch-all rule CNPG appends after the user's rules on PostgreSQL 14 and later.</summary>
    public const string DefaultRule = "host all all all scram-sha-256";

    /// <summary>
    /// CNPG's fixed rules, then the Cluster's <c>spec.postgresql.pg_hba</c> lines verbatim (hba.ExpandLine returns a
    /// line without a <c>${…}</c> token unchanged; this project uses none), then <see cref="DefaultRule"/>.
    /// PostgreSQL uses the first rule that matches type, database, user and address, so the user's rules decide only
    /// what the fixed ones did not, and the default decides what nothing before it did.
    /// </summary>
    public static string HbaFile(IReadOnlyDictionary<string, object?> cluster)
    {
        var userRules = ManifestFields.Strings(ManifestFields.Map(cluster, "spec", "postgresql"), "pg_hba");
        if (userRules.FirstOrDefault(r => r.Contains("${", StringComparison.Ordinal)) is { } selector)
        {
            throw new CnpgRealisationException($"spec.postgresql.pg_hba: '{selector}' uses a ${{podselector:…}} token, which this realisation does not expand");
        }

        var file = new StringBuilder();
        file.AppendLine("# FIXED RULES");
        file.AppendLine("local all cnpg_metrics_exporter peer map=cnpg_metrics_exporter");
        file.AppendLine("local all all peer map=local");
        file.AppendLine("hostssl postgres streaming_replica all cert map=cnpg_streaming_replica");
        file.AppendLine("hostssl replication streaming_replica all cert map=cnpg_streaming_replica");
        file.AppendLine("hostssl all cnpg_pooler_pgbouncer all cert map=cnpg_pooler_pgbouncer");
        file.AppendLine("# USER-DEFINED RULES");
        foreach (var rule in userRules)
        {
            file.AppendLine(rule);
        }

        file.AppendLine("# DEFAULT RULES");
        file.AppendLine(DefaultRule);
        return file.ToString();
    }

    /// <summary>
    /// CNPG's fixed maps, then the Cluster's <c>spec.postgresql.pg_ident</c> lines verbatim. <paramref name="osUser"/>
    /// is the account the instance manager runs as (<c>pkg/management/postgres/ident.go</c>
    /// getCurrentUserOrDefaultToInsecureMapping), which the <c>local</c> map lets in as <c>postgres</c>.
    /// </summary>
    public static string IdentFile(IReadOnlyDictionary<string, object?> cluster, string osUser)
    {
        var file = new StringBuilder();
        file.AppendLine("# FIXED RULES");
        file.AppendLine($"local {osUser} postgres");
        file.AppendLine("cnpg_streaming_replica streaming_replica streaming_replica");
        file.AppendLine("cnpg_pooler_pgbouncer cnpg_pooler_pgbouncer cnpg_pooler_pgbouncer");
        file.AppendLine($"cnpg_metrics_exporter {osUser} cnpg_metrics_exporter");
        file.AppendLine("# USER-DEFINED RULES");
        foreach (var rule in ManifestFields.Strings(ManifestFields.Map(cluster, "spec", "postgresql"), "pg_ident"))
        {
            file.AppendLine(rule);
        }

        return file.ToString();
    }
}

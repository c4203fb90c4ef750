using System.Text.Json;
using System.Text.Json.Serialization;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>The report as one JSON document for CI.</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Serialises the report.</summary>
    public static string Render(VerifyReport report) => JsonSerializer.Serialize(
        new
        {
            environment = report.Environment,
            status = report.Passed ? "passed" : "failed",
            durationMs = Math.Round(report.Duration.TotalMilliseconds, 1),
            summary = new
            {
                passed = report.Count(CheckStatus.Passed),
                warnings = report.Count(CheckStatus.Warning),
                failed = report.Count(CheckStatus.Failed),
            },
            checks = report.Checks.Select(c => new
            {
                name = c.Name,
                region = c.Region,
                status = c.Status,
                durationMs = Math.Round(c.Duration.TotalMilliseconds, 1),
                detail = c.Detail,
                diagnosis = c.Diagnosis,
                metrics = c.Metrics,
            }),
        },
        Options);
}

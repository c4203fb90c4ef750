using System.Globalization;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// <c>replication.archiveTimeout</c>: the longest a WAL segment holding writes stays open on the primary before
/// PostgreSQL switches to the next one and archives it (<c>archive_timeout</c>), so the longest a replica that replays
/// only the archive lags behind a quiet primary. CNPG sets it to <c>5min</c> (pkg/postgres/configuration.go
/// CnpgConfigurationSettings) unless the Cluster's <c>spec.postgresql.parameters</c> says otherwise. Written as a Go
/// duration of whole seconds, as <c>minApplyDelay</c> is.
/// </summary>
public static class ArchiveTimeout
{
    /// <summary>CNPG's <c>archive_timeout</c>, <c>5min</c> (pkg/postgres/configuration.go CnpgConfigurationSettings), in seconds.</summary>
    public const int CnpgDefaultSeconds = 300;

    /// <summary>Why <paramref name="text"/> is not a timeout PostgreSQL applies as given, or <c>null</c>.</summary>
    public static string? Problem(string text) =>
        !ApplyDelay.TryParse(text, out var timeout)
            ? $"'{text}' is not a Go duration of whole seconds, such as '30s', '1m' or '5m'"
            : timeout.Ticks % TimeSpan.TicksPerSecond != 0
                ? $"'{text}' is not whole seconds; PostgreSQL counts archive_timeout in seconds, so give e.g. '2s' or '1m'"
                : timeout < TimeSpan.FromSeconds(1)
                    ? $"'{text}' is no timeout: PostgreSQL reads 0 as never switching segments for the archive; give at least '1s', or leave the key out for CNPG's 5min"
                    : null;

    /// <summary>
    /// The <c>archive_timeout</c> value for a valid <paramref name="text"/>, in seconds: PostgreSQL takes the parameter
    /// verbatim and knows <c>s</c> but not Go's <c>m</c> (its minute is <c>min</c>), so <c>1m</c> is written <c>60s</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> has a <see cref="Problem"/>.</exception>
    public static string Parameter(string text) => Problem(text) is null && ApplyDelay.TryParse(text, out var timeout)
        ? string.Create(CultureInfo.InvariantCulture, $"{(long)timeout.TotalSeconds}s")
        : throw new ArgumentException(Problem(text), nameof(text));
}

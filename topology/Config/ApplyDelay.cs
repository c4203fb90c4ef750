using System.Globalization;
using System.Text.RegularExpressions;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// A replica's <c>minApplyDelay</c> as CNPG reads it: a Go duration (<c>metav1.Duration</c>, parsed by Go's
/// <c>time.ParseDuration</c>), such as <c>1h</c>, <c>30m</c>, <c>1h30m</c> or <c>90s</c>. The subset accepted here is
/// whole or decimal numbers of h, m, s and ms, each unit once, largest first.
/// </summary>
public static partial class ApplyDelay
{
    /// <summary>The longest delay accepted: a week, far more than the hours a delayed replica is kept behind.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    /// <summary>Reads <paramref name="text"/>; <c>false</c> when it is not a duration of that form.</summary>
    public static bool TryParse(string? text, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || Duration().Match(text) is not { Success: true } match)
        {
            return false;
        }

        foreach (var (group, unit) in new[] { ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)) })
        {
            if (match.Groups[group].Success)
            {
                delay += unit * double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
            }
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="text"/> is not a delay CNPG applies as given, or <c>null</c>: CNPG writes
    /// <c>recovery_min_apply_delay</c> as <c>math.Floor</c> of the seconds (pkg/postgres/configuration.go), so 1500ms would
    /// be 1s and 500ms no delay at all.
    /// </summary>
    public static string? Problem(string text) =>
        !TryParse(text, out var delay) || delay > Longest
            ? $"'{text}' is not a Go duration of whole seconds up to {Longest.TotalHours:0}h, such as '1h', '30m', '1h30m' or '90s'"
            : delay < TimeSpan.FromSeconds(1) || delay.Ticks % TimeSpan.TicksPerSecond != 0
                ? $"'{text}' is not whole seconds; CNPG writes recovery_min_apply_delay in whole seconds, rounding down, so give at least '1s' in whole seconds"
                : null;

    /// <summary>The delay of <paramref name="text"/> in whole seconds, or <c>null</c> when there is none (or it does not parse).</summary>
    public static int? WholeSeconds(string? text) => TryParse(text, out var delay) ? (int)delay.TotalSeconds : null;

    [GeneratedRegex(@"^(?:(?<h>\d{1,4}(?:\.\d{1,6})?)h)?(?:(?<m>\d{1,6}(?:\.\d{1,6})?)m(?!s))?(?:(?<s>\d{1,8}(?:\.\d{1,6})?)s)?(?:(?<ms>\d{1,10})ms)?$")]
    private static partial Regex Duration();
}

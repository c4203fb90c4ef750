using System.Globalization;
using System.Text.RegularExpressions;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>A round trip or jitter as the command line gives it: <c>80ms</c>, <c>0.15s</c>, <c>0</c>; at most <see cref="Longest"/>.</summary>
public static partial class LinkDuration
{
    /// <summary>The longest delay a link takes: longer than any path on Earth, short enough that nothing waits for ever.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);

    /// <summary>Parses <paramref name="text"/>; <c>false</c> when it is no duration of milliseconds or seconds up to <see cref="Longest"/>.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Form().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups["value"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        var milliseconds = match.Groups["unit"].Value == "s" ? value * 1000 : value;
        if (milliseconds > (decimal)Longest.TotalMilliseconds || (match.Groups["unit"].Value.Length == 0 && value != 0))
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds((double)milliseconds);
        return true;
    }

    /// <summary>How a duration reads in status and messages: whole milliseconds.</summary>
    public static string Format(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###}ms");

    [GeneratedRegex(@"^(?<value>[0-9]{1,6}(?:\.[0-9]{1,3})?)(?<unit>ms|s)?$")]
    private static partial Regex Form();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a failed <c>sandbox up</c> leaves to read: the servers' logs, copied out of the sandbox directory before it is
/// removed, and a diagnosis that quotes the end of the failing server's log and says where the copies are.
/// </summary>
public static partial class FailedStart
{
    /// <summary>How many lines of the failing server's log the diagnosis quotes.</summary>
    public const int QuotedLines = 12;

    /// <summary>Where the logs of a start that failed in <paramref name="directory"/> at <paramref name="now"/> are kept: beside it.</summary>
    public static string KeptLogs(string directory, DateTimeOffset now) =>
        $"{Path.TrimEndingDirectorySeparator(directory)}-failed-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The diagnosis of a start that failed with <paramref name="failure"/>: the logs it names under the removed
    /// <paramref name="directory"/> named where they are kept (<paramref name="keptLogs"/>, relative to both), the last
    /// lines of the one it names (read by <paramref name="readKept"/>), and what to remove.
    /// </summary>
    public static string Explain(string failure, string directory, string kept, IReadOnlyList<string> keptLogs, Func<string, string?> readKept)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(keptLogs);
        ArgumentNullException.ThrowIfNull(readKept);
        var moved = keptLogs.Aggregate(failure, (text, log) => text.Replace(Path.Combine(directory, log), Path.Combine(kept, log), StringComparison.Ordinal));
        var lines = new List<string> { moved };
        if (SeeLog().Match(moved) is { Success: true } named && named.Groups["path"].Value.StartsWith(kept, StringComparison.Ordinal)
            && readKept(named.Groups["path"].Value) is { } text)
        {
            lines.Add($"Last lines of {named.Groups["path"].Value}:");
            lines.AddRange(text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').TakeLast(QuotedLines).Select(l => "  " + l));
        }

        lines.Add(keptLogs.Count > 0
            ? $"The sandbox was stopped and {directory} removed; the servers' logs are kept in {kept} (remove them with: rm -r {kept})."
            : $"The sandbox was stopped and {directory} removed; no server had written a log yet.");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// Copies every log file under <paramref name="directory"/> (the servers' and the link daemon's, nothing else: no key
    /// leaves) to <paramref name="kept"/>, keeping their relative paths, each readable by its owner alone. Returns those paths.
    /// </summary>
    public static IReadOnlyList<string> CopyLogs(string directory, string kept)
    {
        var logs = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.log", SearchOption.AllDirectories) : [];
        foreach (var log in logs)
        {
            var target = Path.Combine(kept, Path.GetRelativePath(directory, log));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            // Shared reading: a server that failed may still be writing its last lines.
            using var source = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new FileStream(target, options);
            source.CopyTo(copy);
        }

        return [.. logs.Select(log => Path.GetRelativePath(directory, log))];
    }

    [GeneratedRegex(@"See (?<path>\S+\.log)\.")]
    private static partial Regex SeeLog();
}

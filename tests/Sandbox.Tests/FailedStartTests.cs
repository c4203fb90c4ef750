using System.Text.RegularExpressions;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>A start that fails leaves nothing running and no directory, but keeps what explains it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FailedStartTests
{
    [Fact]
    public async Task AFailedStartKeepsTheServersLogsQuotesTheFailingOneAndSaysWhatToRemove()
    {
        var directory = TemporaryDirectory.NewPath();

        // A value PostgreSQL takes in its setup but refuses when it starts with TLS: the start fails as one that cannot
        // start on a loaded machine does, its cause in its log alone.
        var failure = await Assert.ThrowsAsync<SandboxException>(() => LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = directory,
            Parameters = new Dictionary<string, string> { ["ssl_ciphers"] = "NO-SUCH-CIPHER" },
        }));

        var kept = Kept().Match(failure.Message).Groups["path"].Value;
        try
        {
            Assert.False(Directory.Exists(directory));
            Assert.StartsWith($"{directory}-failed-", kept, StringComparison.Ordinal);
            Assert.Contains("starting PostgreSQL in region", failure.Message, StringComparison.Ordinal);
            Assert.Contains($"Last lines of {kept}{Path.DirectorySeparatorChar}", failure.Message, StringComparison.Ordinal);
            Assert.Contains("FATAL:  could not set the cipher list", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain($"See {directory}{Path.DirectorySeparatorChar}", failure.Message, StringComparison.Ordinal);
            var files = Directory.GetFiles(kept, "*", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.EndsWith(".log", f, StringComparison.Ordinal));
            Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        }
        finally
        {
            if (kept.Length > 0)
            {
                Directory.Delete(kept, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"logs are kept in (?<path>\S+) \(remove them")]
    private static partial Regex Kept();
}

using CrossClusterIac.Verify;

namespace CrossClusterIac.Tests.Verify;

public sealed class BadInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscluster-verify-input-").FullName;

    [Theory]
    [InlineData("{ not json", "invalid outputs JSON")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"environment\": \"dev\"}", "'schemaVersion' is missing")]
    [InlineData("{\"schemaVersion\": 7}", "schemaVersion")]
    [InlineData("{\"schemaVersion\": 1, \"environment\": \"dev\", \"primaryRegion\": \"eu\", \"database\": \"app\", \"rootCaCertificate\": \"x\", \"regions\": [], \"clientKeys\": \"[secret]\"}", "--show-secrets")]
    public async Task MalformedOutputsExitTwoNamingWhatIsWrong(string json, string expected)
    {
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, json);

        var (exitCode, output, error) = await RunAsync("--outputs", file);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"database\":", "'database' is given 2 times")]
    [InlineData("\"serverName\":", "'regions[eu].instance.serverName' is given 2 times")]
    [InlineData("\"user\":", "'regions[eu].clients.app.user' is given 2 times")]
    public async Task AKeyGivenTwiceExitsTwoInsteadOfReadingTheLast(string key, string expected)
    {
        // The first occurrence given again in front of itself: a reader taking the last one would run on the original.
        var valid = BadOutputsDocumentTests.ValidDocument.Value;
        var at = valid.IndexOf(key, StringComparison.Ordinal);
        var value = valid[at..valid.IndexOf('\n', at)];
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, valid.Insert(at, value.EndsWith(',') ? $"{value}\n" : $"{value},\n"));

        var (exitCode, _, error) = await RunAsync("--outputs", file);

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBuiltExecutableRefusesADocumentMissingAKeyBeforeItHasSerialisedAnything()
    {
        // In this test process the contract's options were already used to write documents; a fresh verify has not,
        // and its first use is the shape check.
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, "{\"schemaVersion\": 1}");

        using var verify = VerifyProcess.Start(["--outputs", file]);
        var exitCode = await verify.ExitCodeAsync(TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 2, $"exit {exitCode}: {verify.Error}");
        Assert.Contains("'environment' is missing", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingOutputsFileExitsTwoNamingIt()
    {
        var (exitCode, _, error) = await RunAsync("--outputs", Path.Combine(_directory, "absent.json"));

        Assert.Equal(2, exitCode);
        Assert.Contains("absent.json does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--outputs", "a.json", "--stack", "dev" }, "exactly one of --outputs")]
    [InlineData(new[] { "--outputs", "-", "--timeout", "0" }, "--timeout 0")]
    [InlineData(new[] { "--outputs", "-", "--rows", "0" }, "--rows 0")]
    [InlineData(new[] { "--outputs", "-", "--output", "xml" }, "--output: 'xml' is not one of: table, json.")]
    [InlineData(new[] { "--outputs", "-", "--timeout", "soon" }, "--timeout soon: give seconds above 0 and at most 3600, e.g. --timeout")]
    [InlineData(new[] { "--outputs", "-", "--max-lag", "-5" }, "--max-lag -5: give milliseconds above 0")]
    [InlineData(new[] { "--outputs", "-", "--expiry-warning-days", "NaN" }, "--expiry-warning-days NaN: give days as a whole number from 0 to 36500")]
    [InlineData(new[] { "--outputs", "-", "--expiry-warning-days", "99999999999" }, "--expiry-warning-days 99999999999: give days as a whole number")]
    [InlineData(new[] { "--outputs", "-", "--rows", "1.5" }, "--rows 1.5: give rows as a whole number from 1 to 10000000")]
    [InlineData(new[] { "--outputs", "-", "--app-secret", "/tmp" }, "--app-secret /tmp: is a directory")]
    public async Task BadUsageExitsTwo(string[] args, string expected)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutArgumentsVerifyPrintsItsHelpAndExitsTwoAsNothingWasChecked()
    {
        var (exitCode, output, error) = await RunAsync();

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
        Assert.Contains("--kube-context", error, StringComparison.Ordinal);
        Assert.EndsWith("give --outputs FILE (or - for standard input) or --stack NAME.", error.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "NaN")]
    [InlineData("--timeout", "Infinity")]
    [InlineData("--max-lag", "NaN")]
    [InlineData("--max-lag", "Infinity")]
    [InlineData("--max-lag", "-Infinity")]
    public async Task ANumberThatIsNotALimitExitsTwoNamingTheOption(string option, string value)
    {
        var (exitCode, output, error) = await RunAsync("--outputs", "-", option, value);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains($"verify: {option} ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryAsOutputsExitsTwoSayingSo()
    {
        var (exitCode, _, error) = await RunAsync("--outputs", _directory);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--outputs {_directory} is a directory", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndlessOutputsFileIsReadOnlyUpToTheLimit()
    {
        var (exitCode, _, error) = await RunAsync("--outputs", "/dev/zero");

        Assert.Equal(2, exitCode);
        Assert.Contains("--outputs /dev/zero is larger than 16 MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADanglingSymbolicLinkExitsTwoNamingIt()
    {
        var link = Path.Combine(_directory, "outputs.json");
        File.CreateSymbolicLink(link, Path.Combine(_directory, "gone.json"));

        var (exitCode, _, error) = await RunAsync("--outputs", link);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{link} does not exist", error, StringComparison.Ordinal);
    }

    // Tests run as root, whom file modes do not stop: verify runs as the servers' account instead.
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AnOutputsFileVerifysUserMayNotReadExitsTwoNamingIt()
    {
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        var file = Path.Combine(_directory, "outputs.json");
        await File.WriteAllTextAsync(file, "{}");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var verify = VerifyProcess.Start(["--outputs", file], user: "postgres");

        Assert.Equal(2, await verify.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal($"verify: --outputs {file}: cannot read it (Access to the path '{file}' is denied.); give a file verify's user may read", verify.Error.Trim());
        Assert.Empty(verify.Output);
    }

    [Fact]
    public async Task StackWithoutThePulumiProjectExitsTwo()
    {
        var (exitCode, _, error) = await RunAsync("--stack", "dev", "--infra-dir", Path.Combine(_directory, "no-such-project"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--infra-dir", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AMistypedOptionExitsTwoNamingTheOptionItWasMeantAsAndNotItsValue()
    {
        var (exitCode, output, error) = await RunAsync("--outptus", "outputs.json");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal(
            ["verify: unknown option '--outptus' for `verify`. Did you mean '--outputs'?", "Run `verify --help` for usage."],
            error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var input = new StringReader("");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await VerifyCli.InvokeAsync(args, input, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}

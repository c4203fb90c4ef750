namespace CrossClusterIac.Tests.Topology;

/// <summary>The commands README.md documents are the ones a newcomer should type (issue 10, item 6).</summary>
public sealed class ReadmeTests
{
    private const string BenchmarkTableHeader = "| harness | figure |";

    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(RepositoryFiles.Root, "README.md"));

    [Fact]
    public void DocumentedCommandsUseTheBuiltExecutablesNotDotnetRunOutsideTheBenchmarkTable()
    {
        // Each `dotnet run` builds before it starts (seconds) and puts itself between a signal and the program; the
        // benchmark harnesses have no other entry point, so their table is the one place it belongs.
        var header = Array.IndexOf(Lines, BenchmarkTableHeader);
        Assert.True(header >= 0, $"README.md has no benchmark table headed {BenchmarkTableHeader}");
        var table = Lines.Skip(header).TakeWhile(line => line.StartsWith('|')).Count();

        var elsewhere = Lines
            .Select((line, index) => (Line: line, Number: index + 1))
            .Where(l => (l.Number <= header || l.Number > header + table) && l.Line.Contains("dotnet run", StringComparison.Ordinal))
            .Select(l => $"README.md:{l.Number}: {l.Line}");

        Assert.Empty(elsewhere);
    }
}

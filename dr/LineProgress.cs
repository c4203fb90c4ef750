namespace CrossClusterIac.Dr;

/// <summary>Progress written as it is reported, one line each, in order (<see cref="Progress{T}"/> posts to the thread pool).</summary>
internal sealed class LineProgress(TextWriter writer) : IProgress<string>
{
    private readonly Lock _gate = new();

    public void Report(string value)
    {
        lock (_gate)
        {
            writer.WriteLine(value);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a running sandbox consists of, written before the first process starts so that <c>sandbox down</c>
/// can always find and stop everything, even after a start that failed half-way.
/// </summary>
public sealed record SandboxState
{
    /// <summary>File name inside the sandbox directory.</summary>
    public const string FileName = "sandbox.json";

    /// <summary>Region that runs the primary.</summary>
    public required string PrimaryRegion { get; init; }

    /// <summary>Every region, primary first.</summary>
    public required IReadOnlyList<SandboxRegion> Regions { get; init; }

    /// <summary>Reads the state of the sandbox in <paramref name="directory"/>, or <c>null</c> when none is there.</summary>
    public static SandboxState? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SandboxState>(File.ReadAllText(path), TopologyOutputsJson.Options)
                ?? throw new SandboxException($"{path} is empty. Remove {directory} by hand.");
        }
        catch (JsonException e)
        {
            throw new SandboxException($"{path} is not a sandbox state file ({e.Message}). Remove {directory} by hand.", SandboxException.UsageExitCode, e);
        }
    }

    /// <summary>Writes the state into <paramref name="directory"/>.</summary>
    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, TopologyOutputsJson.Options));
}

/// <summary>One region of a sandbox.</summary>
/// <param name="Name">Region name.</param>
/// <param name="Role">Primary or replica.</param>
/// <param name="InstancePort">PostgreSQL's TCP port on 127.0.0.1.</param>
/// <param name="PoolerPort">PgBouncer's TCP port on 127.0.0.1.</param>
/// <param name="Directory">The region's directory.</param>
public sealed record SandboxRegion(string Name, RegionRole Role, int InstancePort, int PoolerPort, string Directory)
{
    /// <summary>Where the region's files are.</summary>
    [JsonIgnore]
    public RegionLayout Layout => new(Directory);
}

using Pulumi;

namespace CrossClusterIac.Infra.Components;

/// <summary>Turns the core's plain dictionaries into Pulumi input maps.</summary>
internal static class InputMaps
{
    /// <summary>A string map as an input map.</summary>
    public static InputMap<string> From(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var map = new InputMap<string>();
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }

    /// <summary>A map of (possibly secret) outputs as an input map; a secret value makes the whole map secret.</summary>
    public static InputMap<string> From(IEnumerable<KeyValuePair<string, Output<string>>> entries)
    {
        var map = new InputMap<string>();
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }
}

using System.Collections;

namespace CrossClusterIac.Tests.Infra;

/// <summary>Walks the nested maps and lists a mocked resource's inputs arrive as.</summary>
internal static class Inputs
{
    /// <summary>The value at a path of map keys, or <c>null</c> when a key is missing.</summary>
    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not IDictionary map || !map.Contains(key))
            {
                return null;
            }

            node = map[key];
        }

        return node;
    }

    /// <summary>A list input as its items.</summary>
    public static IReadOnlyList<object?> Items(object? node) =>
        node is IEnumerable items and not string ? items.Cast<object?>().ToList() : [];

    /// <summary>A map input's string values.</summary>
    public static IEnumerable<string> StringValues(object? node) =>
        node is IDictionary map ? map.Values.OfType<string>() : [];
}

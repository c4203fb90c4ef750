namespace CrossClusterIac.Verify.Reporting;

/// <summary>Wraps prose at word boundaries, so that no name, serial or command is ever cut in two.</summary>
public static class TextWrap
{
    /// <summary>
    /// The lines of <paramref name="text"/> at most <paramref name="width"/> columns wide, the first starting with
    /// <paramref name="first"/> and the rest with <paramref name="rest"/>. A word longer than a line gets a line of its
    /// own, shortened with an ellipsis when even that is too narrow (the full value is in <c>--verbose</c> and JSON).
    /// </summary>
    public static IReadOnlyList<string> Lines(string text, int width, string first = "", string rest = "")
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder(first);
        var empty = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var indent = lines.Count == 0 ? first.Length : rest.Length;
            if (!empty && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append(rest);
                empty = true;
                indent = rest.Length;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(indent + word.Length > width ? Shorten(word, width - indent) : word);
            empty = false;
        }

        lines.Add(line.ToString());
        return lines;
    }

    private static string Shorten(string word, int room) => room < 2 ? word : string.Concat(word.AsSpan(0, room - 1), "…");
}

namespace CrossClusterIac.Verify;

/// <summary>Text as one word for <c>/bin/sh</c>, for commands the sandbox and verify write or print.</summary>
public static class ShellWord
{
    /// <summary>Single-quoted, a quote inside it closed, escaped and reopened: the shell expands nothing in it.</summary>
    public static string Quoted(string text) => $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    /// <summary>As it is when the shell reads nothing special in it, so that a printed path stays readable; else <see cref="Quoted"/>.</summary>
    public static string AsTyped(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+,:@%".Contains(c, StringComparison.Ordinal)) ? text : Quoted(text);
}

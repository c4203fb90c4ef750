using System.CommandLine;

namespace CrossClusterIac.Verify;

/// <summary>
/// A command-line option whose value is one of an enum's names, written in lowercase, as the project's consoles
/// (verify, dr, sandbox) take them: anything else is a usage error naming the option and the choices, where
/// System.CommandLine's own conversion names the .NET type.
/// </summary>
public static class EnumOption
{
    /// <summary>
    /// The option <paramref name="name"/>; when not given, the enum's zero value (its first), which help names as it is
    /// typed. A default value factory would have help print the .NET name (<c>[default: Table]</c>).
    /// </summary>
    public static Option<T> Create<T>(string name, string description)
        where T : struct, Enum => new(name)
    {
        Description = $"{description} [default: {Word(default(T))}]",
        HelpName = string.Join("|", Enum.GetValues<T>().Select(Word)),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            var match = Enum.GetValues<T>().Where(v => Word(v).Equals(text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (match.Count == 1)
            {
                return match[0];
            }

            result.AddError($"{name}: '{text}' is not one of: {string.Join(", ", Enum.GetValues<T>().Select(Word))}.");
            return default;
        },
    };

    /// <summary>How a value is written on the command line: its name in lowercase.</summary>
    public static string Word<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}

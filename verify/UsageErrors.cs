using System.CommandLine;
using System.CommandLine.Parsing;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Verify;

/// <summary>
/// What a command line's parse errors say, for verify, sandbox and dr alike: each unknown option or subcommand once,
/// with the name it was most likely meant as, and no follow-on error for the value that came after an unknown option.
/// </summary>
public static class UsageErrors
{
    /// <summary>
    /// Reports <paramref name="parsed"/>'s errors and returns the exit code, or <c>null</c> when it has none. A program
    /// that needs a subcommand and was given no argument at all prints its help and returns 0.
    /// </summary>
    public static async Task<int?> ReportAsync(ParseResult parsed, string program, TextWriter output, TextWriter error)
    {
        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        var command = parsed.CommandResult.Command;
        // The root's own name is the executable's (testhost under a test runner): the program names itself.
        var path = string.Join(' ', SubcommandPath(parsed.CommandResult).Prepend(program));
        if (parsed.Tokens.Count == 0 && NeedsSubcommand(command))
        {
            await parsed.RootCommandResult.Command.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
            return 0;
        }

        var unmatched = parsed.UnmatchedTokens;
        var described = Describe(command, path, unmatched).ToList();
        foreach (var (message, _) in described)
        {
            await error.WriteLineAsync($"{program}: {message}");
        }

        // Said above in these terms: System.CommandLine's own message of each unmatched token, its "Required command was
        // not provided." once the token meant as the subcommand was unmatched, and its "Option '--stack' is required."
        // once '--stak' was taken for it.
        var said = unmatched.Concat(described.Select(d => d.Meant).OfType<string>()).Select(name => $"'{name}'").ToList();
        foreach (var problem in parsed.Errors.Where(e => !((e.SymbolResult is CommandResult && NeedsSubcommand(command)) || said.Any(name => e.Message.Contains(name, StringComparison.Ordinal)))))
        {
            await error.WriteLineAsync($"{program}: {problem.Message}");
        }

        await error.WriteLineAsync($"Run `{path} --help` for usage.");
        return VerifyCli.UsageExitCode;
    }

    // Each unmatched token's message, and the name it was most likely meant as.
    private static IEnumerable<(string Message, string? Meant)> Describe(Command command, string path, IReadOnlyList<string> unmatched)
    {
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (token.StartsWith('-'))
            {
                var meant = NearestName.Find(token, OptionNames(command));
                yield return ($"unknown option '{token}' for `{path}`.{Hint(meant)}", meant);

                // The words after an unknown option were its value: saying each is unexpected too would be noise.
                while (i + 1 < unmatched.Count && !unmatched[i + 1].StartsWith('-'))
                {
                    i++;
                }
            }
            else if (command.Subcommands.Count > 0)
            {
                var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
                var meant = NearestName.Find(token, names);
                yield return ($"unknown command '{token}' for `{path}`.{Hint(meant)} Commands: {string.Join(", ", names)}.", meant);

                // What follows was meant for that command: it cannot be judged against this one.
                yield break;
            }
            else
            {
                yield return ($"unexpected argument '{token}' for `{path}`, which takes {(command.Arguments.Count == 0 ? "no argument" : string.Join(" ", command.Arguments.Select(a => a.Name.ToUpperInvariant())))}.", null);
            }
        }

        if (unmatched.Count == 0 && NeedsSubcommand(command))
        {
            yield return ($"`{path}` needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.", null);
        }
    }

    private static string Hint(string? meant) => meant is null ? string.Empty : $" Did you mean '{meant}'?";

    private static bool NeedsSubcommand(Command command) => command.Subcommands.Count > 0 && command.Action is null;

    // The options the command takes, its ancestors' recursive ones (--help) included, by every name they answer to.
    private static IEnumerable<string> OptionNames(Command command) =>
        command.Options.Concat(Ancestors(command).SelectMany(p => p.Options.Where(o => o.Recursive)))
            .Where(o => !o.Hidden)
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .Where(name => name.StartsWith("--", StringComparison.Ordinal));

    private static IEnumerable<Command> Ancestors(Command command) =>
        command.Parents.OfType<Command>().SelectMany(parent => Ancestors(parent).Prepend(parent));

    // The subcommands' names from the root down, the root's own left out.
    private static IEnumerable<string> SubcommandPath(CommandResult result) =>
        result.Parent is CommandResult parent ? SubcommandPath(parent).Append(result.Command.Name) : [];
}

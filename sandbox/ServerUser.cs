using CliWrap;
using CliWrap.Buffered;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// The account the servers run as. PostgreSQL and PgBouncer refuse to run as root, so when the sandbox is
/// started as root they run as the Debian <c>postgres</c> account and own their files.
/// </summary>
public sealed class ServerUser
{
    private const string UnprivilegedAccount = "postgres";

    private ServerUser(string? account) => Account = account;

    /// <summary>The account servers switch to, or <c>null</c> when they run as the invoking user.</summary>
    public string? Account { get; }

    /// <summary>The account the servers run as, by name.</summary>
    public string AccountName => Account ?? Environment.UserName;

    /// <summary>Whether the invoking user is root.</summary>
    public static bool InvokedAsRoot => LibC.EffectiveUserId == 0;

    /// <summary>The server account for this process.</summary>
    public static ServerUser Current() => new(InvokedAsRoot ? UnprivilegedAccount : null);

    /// <summary>A command that runs <paramref name="executable"/> as the server account.</summary>
    public Command Command(string executable, IEnumerable<string> arguments) =>
        Account is null
            ? Cli.Wrap(executable).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            : Cli.Wrap("runuser").WithArguments(["-u", Account, "--", executable, .. arguments]).WithValidation(CommandResultValidation.None);

    /// <summary>Gives a path (recursively) to the server account.</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        if (Account is null)
        {
            return;
        }

        var result = await Cli.Wrap("chown").WithArguments(["-R", $"{Account}:{Account}", path])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SandboxException($"Cannot give {path} to the '{Account}' account: {result.StandardError.Trim()}. Is the postgresql-15 package (which creates it) installed?", SandboxException.UsageExitCode);
        }
    }
}

namespace CrossClusterIac.Sandbox;

/// <summary>Locates the PostgreSQL 15 and PgBouncer executables the sandbox runs.</summary>
public sealed record ServerBinaries(string PostgresBin, string PgBouncer)
{
    private const string PostgresBinDirectory = "/usr/lib/postgresql/15/bin";
    private static readonly string[] PgBouncerLocations = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"];

    /// <summary>PostgreSQL executable path by name, e.g. <c>pg_ctl</c>.</summary>
    public string Postgres(string tool) => Path.Combine(PostgresBin, tool);

    /// <summary>Finds the binaries or explains which Debian packages provide them.</summary>
    /// <exception cref="SandboxException">A binary is missing.</exception>
    public static ServerBinaries Locate()
    {
        var missing = new List<string>();
        if (!File.Exists(Path.Combine(PostgresBinDirectory, "postgres")) || !File.Exists(Path.Combine(PostgresBinDirectory, "pg_basebackup")))
        {
            missing.Add($"PostgreSQL 15 ({PostgresBinDirectory}/postgres): apt-get install postgresql-15");
        }

        var pgbouncer = PgBouncerLocations.FirstOrDefault(File.Exists);
        if (pgbouncer is null)
        {
            missing.Add("PgBouncer (/usr/sbin/pgbouncer): apt-get install pgbouncer");
        }

        if (missing.Count > 0)
        {
            throw new SandboxException($"The sandbox needs the Debian packages postgresql-15 and pgbouncer. Missing: {string.Join("; ", missing)}.", SandboxException.UsageExitCode);
        }

        return new ServerBinaries(PostgresBinDirectory, pgbouncer!);
    }
}

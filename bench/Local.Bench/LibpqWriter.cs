using System.Diagnostics;
using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

/// <summary>
/// An application nobody here wrote: psql (libpq), one connection per row, with a multi-host connection string and
/// <c>target_session_attrs=read-write</c>, so libpq itself finds the writable pooler. Its certificate and key live in
/// a directory of its own (0700, the key 0600) that disposing removes.
/// </summary>
internal sealed class LibpqWriter : IAsyncDisposable
{
    private const string Table = "writer_libpq";
    private readonly string _directory;
    private readonly string _connection;
    private readonly List<ContinuousWriter.Acknowledged> _acknowledged = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task _loop = Task.CompletedTask;

    private LibpqWriter(string directory, string connection)
    {
        _directory = directory;
        _connection = connection;
    }

    /// <summary>The writes refused, by the server's message.</summary>
    public Dictionary<string, int> Refusals { get; } = new(StringComparer.Ordinal);

    /// <summary>Time since the writer started, on the clock of its rows.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Rows acknowledged so far.</summary>
    public IReadOnlyList<ContinuousWriter.Acknowledged> Rows
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    /// <summary>Creates the table and starts writing through every region's pooler as <paramref name="client"/>'s application.</summary>
    public static async Task<LibpqWriter> StartAsync(TopologyOutputs outputs, string client, TimeSpan interval)
    {
        // Created 0700 on Unix (Directory.CreateTempSubdirectory), and each file 0600 (SecretFile).
        var directory = Directory.CreateTempSubdirectory("crosscluster-libpq-").FullName;
        var region = outputs.Regions.Single(r => r.Name == client);
        SecretFile.Write(Path.Combine(directory, "app.crt"), region.Clients[ClientNames.App].CertificateChain);
        SecretFile.Write(Path.Combine(directory, "app.key"), outputs.ClientKeys[client][ClientNames.App]);
        SecretFile.Write(Path.Combine(directory, "root.crt"), outputs.RootCaCertificate);
        var connection = string.Join(' ',
            $"host={string.Join(',', outputs.Regions.Select(r => r.Pooler.Host))}",
            $"port={string.Join(',', outputs.Regions.Select(r => r.Pooler.Port.ToString(CultureInfo.InvariantCulture)))}",
            $"dbname={outputs.Database} user={region.Clients[ClientNames.App].User} connect_timeout=1 target_session_attrs=read-write sslmode=verify-full",
            $"sslcert={Path.Combine(directory, "app.crt")} sslkey={Path.Combine(directory, "app.key")} sslrootcert={Path.Combine(directory, "root.crt")}");
        var writer = new LibpqWriter(directory, connection);
        await writer.PsqlAsync($"CREATE TABLE IF NOT EXISTS {Table} (id bigint PRIMARY KEY)", CancellationToken.None);
        writer._loop = Task.Run(() => writer.LoopAsync(interval));
        return writer;
    }

    /// <summary>The ids the writable region holds.</summary>
    public async Task<IReadOnlySet<long>> RowsAsync()
    {
        var (_, output, _) = await PsqlAsync($"SELECT id FROM {Table}", CancellationToken.None);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        for (long id = 1; !_stop.IsCancellationRequested;)
        {
            try
            {
                // An application's own limit per write: a pooler whose backend is away holds a client for its
                // query_wait_timeout (PgBouncer: 120 s), and libpq's connect_timeout ends at the handshake.
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                limit.CancelAfter(TimeSpan.FromSeconds(2));
                var (exit, _, error) = await PsqlAsync($"INSERT INTO {Table} (id) VALUES ({id})", limit.Token);
                if (exit != 0 && !error.Contains("duplicate key", StringComparison.Ordinal))
                {
                    // The server's words, without libpq's "connection to server at … failed:" prefix.
                    var reason = error.Split('\n')[0].Split("FATAL:").Last().Split("ERROR:").Last().Trim();
                    lock (_acknowledged)
                    {
                        Refusals[reason] = Refusals.GetValueOrDefault(reason) + 1;
                    }
                }

                // A commit whose acknowledgement was lost on the way: the row is there.
                if (exit == 0 || error.Contains("duplicate key", StringComparison.Ordinal))
                {
                    lock (_acknowledged)
                    {
                        _acknowledged.Add(new ContinuousWriter.Acknowledged(id++, "?", _clock.Elapsed));
                    }
                }

                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // Not acknowledged within the limit: the same id is tried again.
            }

        }
    }

    private async Task<(int Exit, string Output, string Error)> PsqlAsync(string sql, CancellationToken cancellationToken)
    {
        // PostgreSQL 15's own psql, not Debian's wrapper script, which would add a Perl start to every row.
        var result = await Cli.Wrap("/usr/lib/postgresql/15/bin/psql").WithArguments(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", _connection, "-c", sql])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellationToken);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}

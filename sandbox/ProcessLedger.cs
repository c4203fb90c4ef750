using CrossClusterIac.Sandbox.Links;

namespace CrossClusterIac.Sandbox;

/// <summary>The servers a sandbox started, kept in its state file so that every later command knows exactly which processes are its own.</summary>
public sealed class ProcessLedger
{
    private readonly Lock _gate = new();
    private SandboxState _state;

    internal ProcessLedger(string directory, SandboxState state)
    {
        Directory = directory;
        _state = state;
    }

    /// <summary>The sandbox directory.</summary>
    public string Directory { get; }

    /// <summary>The sandbox as recorded now.</summary>
    public SandboxState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The recorded process of a region's server, or <c>null</c> when it was never started or has been stopped.</summary>
    public ProcessIdentity? Find(string region, ServerKind server) =>
        State.Processes.GetValueOrDefault(Key(region, server));

    /// <summary>Records the process now running a region's server; <c>null</c> records that none does.</summary>
    public void Record(string region, ServerKind server, ProcessIdentity? process)
    {
        lock (_gate)
        {
            var processes = new Dictionary<string, ProcessIdentity>(_state.Processes);
            if (process is null)
            {
                processes.Remove(Key(region, server));
            }
            else
            {
                processes[Key(region, server)] = process;
            }

            _state = _state with { Processes = processes, Revision = _state.Revision + 1 };
            _state.Write(Directory);
        }

        LinkDaemonProcess.AwaitApplied(this);
    }

    /// <summary>Records a change of the sandbox's topology (who is primary, a switchover under way) in one write.</summary>
    public void Update(Func<SandboxState, SandboxState> change)
    {
        lock (_gate)
        {
            _state = change(_state) with { Revision = _state.Revision + 1 };
            _state.Write(Directory);
        }

        LinkDaemonProcess.AwaitApplied(this);
    }

    internal static string Key(string region, ServerKind server) => $"{region}/{server.ToString().ToLowerInvariant()}";
}

/// <summary>The two servers of a region.</summary>
public enum ServerKind
{
    /// <summary>The PostgreSQL postmaster.</summary>
    Postgres,

    /// <summary>PgBouncer.</summary>
    PgBouncer,

    /// <summary>The proxy that carries every connection across a link (<see cref="Links.LinkProxy"/>), one per sandbox.</summary>
    LinkProxy,

    /// <summary>The process serving every region's instance and pooler exporters (<c>sandbox up --monitoring</c>), one per sandbox.</summary>
    Exporters,

    /// <summary>A region's Prometheus (<c>sandbox up --monitoring</c>).</summary>
    Prometheus,
}

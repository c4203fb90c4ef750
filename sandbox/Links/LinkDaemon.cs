using System.Threading.Channels;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// The link proxy's process (<c>sandbox link-daemon</c>): forwards every route of the sandbox in its directory and
/// follows its state file and the servers' processes, applying each change of a link or of a server's process and acknowledging each revision of
/// the state once applied; it also keeps the port of each server that does not run (<see cref="StoppedServerPorts"/>). It ends when the state file goes (the sandbox was removed) or on SIGTERM.
/// </summary>
public static class LinkDaemon
{
    /// <summary>The daemon's pid file, in the sandbox directory.</summary>
    public const string PidFileName = "links.pid";

    /// <summary>The last state revision the daemon applied.</summary>
    public const string AppliedFileName = "links.applied";

    /// <summary>The daemon's log: its output and errors.</summary>
    public const string LogFileName = "links.log";

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled or the sandbox is removed; returns the exit code.</summary>
    public static async Task<int> RunAsync(string directory, CancellationToken cancellationToken)
    {
        var statePath = Path.Combine(directory, SandboxState.FileName);
        var state = SandboxState.Read(statePath);
        // Read at each connection, from the state last read: a writer route follows the primary as soon as it moves.
        RouteTarget Target(LinkRoute route)
        {
            if (route.To != SandboxLinks.Writer)
            {
                return new RouteTarget(state.Regions.Single(region => region.Name == route.To).Port(route.Server), route.To);
            }

            var writer = state.Regions.Single(region => region.Name == state.WriterRegion);
            return new RouteTarget(state.Links.PortFrom(route.From, writer, ServerKind.PgBouncer), route.From);
        }

        // A writer route listens while the route it hands over to would: the writable region's pooler runs, and the link to it carries.
        bool Runs(LinkRoute route, IReadOnlySet<string> running) => route.To == SandboxLinks.Writer
            ? running.Contains(ProcessLedger.Key(state.WriterRegion, ServerKind.PgBouncer)) && (route.From == state.WriterRegion || state.Links.Between(route.From, state.WriterRegion).Carries)
            : running.Contains(ProcessLedger.Key(route.To, route.Server));

        // The daemon looks again only when something happened: the state file was replaced or removed (inotify, through
        // FileSystemWatcher; an overflow of its queue counts too), or a server it routes to exited (ProcessExits). A look
        // in turns every few milliseconds cost it CPU the whole time the sandbox was up, when nothing changes for minutes.
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Changed() => changed.Writer.TryWrite(true);
        using var watcher = new FileSystemWatcher(directory) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
        FileSystemEventHandler onState = (_, e) =>
        {
            if (e.Name == SandboxState.FileName)
            {
                Changed();
            }
        };
        watcher.Created += onState;
        watcher.Changed += onState;
        watcher.Deleted += onState;
        watcher.Renamed += (sender, e) => onState(sender, e);
        watcher.Error += (_, _) => Changed();
        watcher.EnableRaisingEvents = true;
        using var exits = new ProcessExits(Changed);
        IReadOnlySet<string> watched = new HashSet<string>(StringComparer.Ordinal);

        await using var proxy = new LinkProxy(state.Links.Routes, Target, state.Links.Links);
        using var stoppedPorts = new StoppedServerPorts();
        File.WriteAllText(Path.Combine(directory, PidFileName), $"{Environment.ProcessId}\n");
        long acknowledged = -1;
        while (!cancellationToken.IsCancellationRequested && File.Exists(statePath))
        {
            // Read again at every wake, not only when the file's modification time moved: that time has the kernel's
            // coarse clock tick, so a write in the same tick as the previous read would go unseen until the next.
            if (TryRead(statePath) is { } read)
            {
                state = read;
            }

            // Each recorded process looked at once, however many routes lead to its server.
            var running = state.Processes.Where(p => p.Value.IsRunning).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            if (!running.SetEquals(watched))
            {
                exits.Watch(running.Select(key => state.Processes[key]));
                watched = running;
            }

            proxy.Apply(state.Links.Links, route => Runs(route, running));
            stoppedPorts.Hold(ServerPorts(state), running);
            if (state.Revision != acknowledged)
            {
                SecretFile.Write(Path.Combine(directory, AppliedFileName), state.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
                acknowledged = state.Revision;
            }

            try
            {
                await changed.Reader.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return 0;
    }

    // Every server's port by its process's key in the ledger.
    private static Dictionary<string, int> ServerPorts(SandboxState state) =>
        state.Regions.SelectMany(region => new[] { ServerKind.Postgres, ServerKind.PgBouncer }.Select(server => (Key: ProcessLedger.Key(region.Name, server), Port: region.Port(server))))
            .ToDictionary(p => p.Key, p => p.Port, StringComparer.Ordinal);

    // Removed between the look and the read: the loop ends on its next turn.
    private static SandboxState? TryRead(string path)
    {
        try
        {
            return SandboxState.Read(path);
        }
        catch (Exception e) when (e is SandboxException or IOException)
        {
            return null;
        }
    }
}

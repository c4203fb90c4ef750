namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// Tells when one of a set of processes exits, without looking at them in turns: a thread of its own blocks in poll(2)
/// on a pidfd per process, readable once that process exits (pidfd_open(2)), and on an eventfd by which a new set, or
/// the end, is handed to it. The processes need not be our children.
/// </summary>
internal sealed class ProcessExits : IDisposable
{
    private readonly Action _exited;
    private readonly int _wake = LibC.EventFd();
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private int[]? _handedOver;
    private bool _disposed;

    /// <summary>Calls <paramref name="exited"/>, on its own thread, each time a watched process exits.</summary>
    public ProcessExits(Action exited)
    {
        _exited = exited;
        _thread = new Thread(Run) { IsBackground = true, Name = "process exits" };
        _thread.Start();
    }

    /// <summary>
    /// Watches <paramref name="processes"/> from now on, instead of the set before. One that has already gone, or whose
    /// pid names another process by now, counts as an exit at once.
    /// </summary>
    public void Watch(IEnumerable<ProcessIdentity> processes)
    {
        var pidfds = new List<int>();
        var gone = false;
        foreach (var process in processes)
        {
            var pidfd = LibC.OpenPidFd(process.Pid);
            // Pinned by the pidfd, the pid can no longer be recycled: if it still names this process, the pidfd is its.
            if (pidfd >= 0 && process.IsRunning)
            {
                pidfds.Add(pidfd);
                continue;
            }

            if (pidfd >= 0)
            {
                LibC.Close(pidfd);
            }

            gone = true;
        }

        lock (_gate)
        {
            if (_handedOver is { } unclaimed)
            {
                Array.ForEach(unclaimed, LibC.Close);
            }

            _handedOver = [.. pidfds];
        }

        LibC.Notify(_wake);
        if (gone)
        {
            _exited();
        }
    }

    /// <summary>Stops the thread and closes every descriptor.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        LibC.Notify(_wake);
        _thread.Join();
        lock (_gate)
        {
            if (_handedOver is { } unclaimed)
            {
                Array.ForEach(unclaimed, LibC.Close);
            }
        }

        LibC.Close(_wake);
    }

    private void Run()
    {
        var watched = new List<int>();
        while (true)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    break;
                }

                if (_handedOver is { } next)
                {
                    watched.ForEach(LibC.Close);
                    watched = [.. next];
                    _handedOver = null;
                }
            }

            var fds = watched.Prepend(_wake).Select(fd => new PollFd { Fd = fd, Events = PollFd.Readable }).ToArray();
            LibC.Poll(fds);
            if (fds[0].Returned != 0)
            {
                LibC.Drain(_wake);
            }

            // An exited process's pidfd stays readable: it is closed here, so that the next poll blocks again.
            var exited = fds.Skip(1).Where(f => f.Returned != 0).Select(f => f.Fd).ToHashSet();
            if (exited.Count > 0)
            {
                watched.RemoveAll(exited.Contains);
                foreach (var fd in exited)
                {
                    LibC.Close(fd);
                }

                _exited();
            }
        }

        watched.ForEach(LibC.Close);
    }
}

using System.Runtime.InteropServices;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// The few Linux calls .NET has no API for: signalling a process through a pidfd (so that a recycled pid is never
/// signalled) and waiting on its exit, the owner of a file, creating a directory that must not exist yet, and a hard
/// link. glibc 2.36 (Debian 12) has them all.
/// </summary>
internal static partial class LibC
{
    /// <summary><c>AT_FDCWD</c>: a path relative to the working directory.</summary>
    public const int CurrentDirectory = -100;

    private const int SymlinkNoFollow = 0x100;
    private const uint BasicStats = 0x7ff;
    private const int ErrorExists = 17;

    /// <summary>The effective user id.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>Owner and mode of <paramref name="path"/> itself (a symbolic link is not followed), or <c>null</c> when it does not exist.</summary>
    public static FileOwnership? Ownership(string path)
    {
        // struct statx has one layout on every architecture (include/uapi/linux/stat.h): stx_uid at byte 20,
        // stx_mode (file type and permission bits) at byte 28.
        Span<byte> buffer = stackalloc byte[256];
        if (statx(CurrentDirectory, path, SymlinkNoFollow, BasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        var mode = BitConverter.ToUInt16(buffer[28..30]);
        return new FileOwnership(BitConverter.ToUInt32(buffer[20..24]), (mode & 0xF000) switch
        {
            0x4000 => FileKind.Directory,
            0x8000 => FileKind.Regular,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        }, (UnixFileMode)(mode & 0xFFF));
    }

    /// <summary>Creates a directory with <paramref name="mode"/>; <c>false</c> when something already has that name.</summary>
    /// <exception cref="IOException">It could not be created for another reason.</exception>
    public static bool CreateNewDirectory(string path, UnixFileMode mode)
    {
        if (mkdirat(CurrentDirectory, path, (uint)mode) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == ErrorExists ? false : throw new IOException($"cannot create {path}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    /// <summary>Gives the file at <paramref name="existing"/> a second name, <paramref name="link"/> (link(2)).</summary>
    /// <exception cref="IOException">It could not.</exception>
    public static void HardLink(string existing, string link)
    {
        if (linkat(CurrentDirectory, existing, CurrentDirectory, link, 0) != 0)
        {
            throw new IOException($"cannot link {existing} to {link}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to process <paramref name="pid"/> if <paramref name="stillOurs"/> holds once the process
    /// is pinned by a pidfd: a pid recycled between the check and the signal cannot receive it. Returns whether it was sent.
    /// </summary>
    public static bool Signal(int pid, int signal, Func<bool> stillOurs)
    {
        var pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            return stillOurs() && pidfd_send_signal(pidfd, signal, IntPtr.Zero, 0) == 0;
        }
        finally
        {
            _ = close(pidfd);
        }
    }

    /// <summary>
    /// A pidfd of process <paramref name="pid"/>, or -1 when there is none: it becomes readable to poll(2) once the process
    /// exits, whether or not it is our child (pidfd_open(2)).
    /// </summary>
    public static int OpenPidFd(int pid) => pidfd_open(pid, 0);

    /// <summary>An eventfd (eventfd(2)) that <see cref="Notify"/> makes readable, for waking a thread blocked in <see cref="Poll"/>.</summary>
    /// <exception cref="IOException">It could not be created.</exception>
    public static int EventFd()
    {
        var fd = eventfd(0, EventFdCloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"eventfd: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Makes <paramref name="eventFd"/> readable (adds one to its counter).</summary>
    public static void Notify(int eventFd)
    {
        var one = 1UL;
        _ = write(eventFd, ref one, sizeof(ulong));
    }

    /// <summary>Resets <paramref name="eventFd"/>'s counter, so that it is no longer readable.</summary>
    public static void Drain(int eventFd)
    {
        var count = 0UL;
        _ = read(eventFd, ref count, sizeof(ulong));
    }

    /// <summary>Blocks until one of <paramref name="fds"/> is readable (poll(2) with no timeout); sets their <see cref="PollFd.Returned"/>.</summary>
    public static void Poll(PollFd[] fds)
    {
        while (poll(fds, (nuint)fds.Length, -1) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }
    }

    /// <summary>
    /// A TCP socket listening on 127.0.0.1:<paramref name="port"/> without SO_REUSEADDR, or -1 when it cannot bind or listen.
    /// .NET's Bind sets SO_REUSEADDR on every TCP socket (System.Native SystemNative_Bind), with which a bind succeeds
    /// beside a socket bound to the port but not listening (Linux net/ipv4/inet_connection_sock.c inet_csk_bind_conflict),
    /// so a port another socket holds that way would look free.
    /// </summary>
    public static int ListenWithoutReuse(int port)
    {
        var fd = socket(AddressFamilyInet, SocketStream | SocketCloseOnExec, 0);
        if (fd < 0)
        {
            return -1;
        }

        // struct sockaddr_in (netinet/in.h): sin_family in host order, sin_port and sin_addr in network order.
        Span<byte> address = stackalloc byte[16];
        address.Clear();
        BitConverter.TryWriteBytes(address[..2], (ushort)AddressFamilyInet);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(address[2..4], (ushort)port);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(address[4..8], 0x7F000001);
        if (bind(fd, ref MemoryMarshal.GetReference(address), (uint)address.Length) != 0 || listen(fd, 1) != 0)
        {
            _ = close(fd);
            return -1;
        }

        return fd;
    }

    /// <summary>Closes <paramref name="fd"/>.</summary>
    public static void Close(int fd) => _ = close(fd);

    private const int EventFdCloseOnExec = 0x80000;
    private const int AddressFamilyInet = 2;
    private const int SocketStream = 1;
    private const int SocketCloseOnExec = 0x80000;
    private const int Interrupted = 4;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, ref ulong buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, ref ulong buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll([In, Out] PollFd[] fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int dirfd, string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pidfd_open(int pid, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pidfd_send_signal(int pidfd, int signal, IntPtr info, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, ref byte address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(int fd, int backlog);
}

/// <summary>One entry of poll(2)'s array, <c>struct pollfd</c> (poll.h): the fd, the events asked for, the events returned.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    /// <summary>POLLIN: readable.</summary>
    public const short Readable = 1;

    /// <summary>The file descriptor.</summary>
    public int Fd;

    /// <summary>The events asked for.</summary>
    public short Events;

    /// <summary>The events that occurred (POLLIN, or POLLERR, POLLHUP, POLLNVAL unasked).</summary>
    public short Returned;
}

/// <summary>Who owns a file and its permission bits.</summary>
/// <param name="UserId">Owner's uid.</param>
/// <param name="Kind">Directory, regular file, symbolic link or other.</param>
/// <param name="Mode">Permission bits.</param>
internal sealed record FileOwnership(uint UserId, FileKind Kind, UnixFileMode Mode);

/// <summary>The file types the sandbox tells apart.</summary>
internal enum FileKind
{
    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A symbolic link.</summary>
    SymbolicLink,

    /// <summary>Anything else.</summary>
    Other,
}

using System.Runtime.InteropServices;

namespace CrossClusterIac.Verify;

/// <summary>
/// Turns SIGINT and SIGTERM into cancellation, so that a console tool can undo what it did and exit with the
/// shell's code for the signal (128 + number) instead of being torn down mid-step by the runtime.
/// </summary>
public sealed class ConsoleInterruption : IDisposable
{
    private const int SignalInterrupt = 2;
    private const int SignalTerminate = 15;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    private ConsoleInterruption()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled when the first SIGINT or SIGTERM arrives.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM, <c>null</c> while no signal arrived.</summary>
    public int? ExitCode => Volatile.Read(ref _signal) switch
    {
        0 => null,
        var signal => 128 + signal,
    };

    /// <summary>The signal's name, for the one-line message a tool prints when it stops.</summary>
    public string? SignalName => Volatile.Read(ref _signal) switch
    {
        SignalInterrupt => "SIGINT",
        SignalTerminate => "SIGTERM",
        _ => null,
    };

    /// <summary>Starts listening for the signals.</summary>
    public static ConsoleInterruption Register() => new();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the tool's own cancellation path stops servers and removes keys, then exits.
        context.Cancel = true;
        _ = Interlocked.CompareExchange(ref _signal, context.Signal == PosixSignal.SIGINT ? SignalInterrupt : SignalTerminate, 0);
        _cancellation.Cancel();
    }
}

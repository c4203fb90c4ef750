using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// A diagnosis' look at a stuck endpoint starts while the attempt is still pending, so that it is ready when the attempt
/// fails: the ordering is observed here on a listener that accepts and never answers, without the clock bounds the
/// sandbox's frozen-server tests need.
/// </summary>
public sealed class EndpointLookTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ALookAtAStuckEndpointStartsWhileTheAttemptIsStillPendingAndIsSharedWithTheDiagnosis()
    {
        using var silent = Silent();
        var endpoint = new Endpoint("127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port, "pg-us-pooler-rw");
        var looks = new EndpointLooks(Timeout, target => [target.Endpoint]);
        var attempt = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var watched = looks.WatchAsync(attempt.Task, new ConnectionTarget("us", EndpointKind.Pooler, endpoint), CancellationToken.None);
        // Accepted while the attempt is unresolved: the look started before the attempt failed, not after.
        using var look = await silent.AcceptTcpClientAsync().WaitAsync(Timeout * 4);

        attempt.SetException(new TimeoutException("the attempt's own timeout"));
        await Assert.ThrowsAsync<TimeoutException>(() => watched);
        Assert.Equal(Answer.Silent, await looks.AtAsync(endpoint));
        Assert.False(silent.Pending(), "the diagnosis took a second look instead of the one started while the attempt was pending");
    }

    [Fact]
    public async Task AnAttemptThatSucceedsInTimeTakesNoLook()
    {
        using var silent = Silent();
        var endpoint = new Endpoint("127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port, "pg-us-pooler-rw");
        var looks = new EndpointLooks(Timeout, target => [target.Endpoint]);

        Assert.Equal(7, await looks.WatchAsync(Task.FromResult(7), new ConnectionTarget("us", EndpointKind.Pooler, endpoint), CancellationToken.None));
        await Task.Delay(Timeout);
        Assert.False(silent.Pending(), "a look was taken at an endpoint whose attempt succeeded");
    }

    // A listener that accepts (its kernel completes the handshake) and never answers: a stuck server.
    private static TcpListener Silent()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }
}

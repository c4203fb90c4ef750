using System.Diagnostics;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// The links as the proxy applies them now, and a signal each time they change, on which a chunk held by a cut link
/// waits instead of polling.
/// </summary>
internal sealed class LinkConditions
{
    private volatile Snapshot _now;

    public LinkConditions(IReadOnlyList<RegionLink> links) => _now = new Snapshot(links);

    /// <summary>The link between <paramref name="x"/> and <paramref name="y"/> as it is now.</summary>
    public RegionLink Between(string x, string y) => _now.Between(x, y);

    /// <summary>Replaces the links; whatever waits on the old ones looks again.</summary>
    public void Apply(IReadOnlyList<RegionLink> links)
    {
        var previous = _now;
        _now = new Snapshot(links);
        previous.Changed.TrySetResult();
    }

    /// <summary>
    /// A chunk's delivery time if it is sent by <paramref name="sender"/> to <paramref name="receiver"/> now: half the
    /// round trip, give or take half the jitter, never before <paramref name="notBefore"/> (a stream keeps its order).
    /// </summary>
    public long Due(string sender, string receiver, long notBefore)
    {
        var link = Between(sender, receiver);
        var oneWay = (link.RoundTrip / 2) + (link.Jitter * (Random.Shared.NextDouble() - 0.5));
        var due = Stopwatch.GetTimestamp() + (long)(Math.Max(0, oneWay.TotalSeconds) * Stopwatch.Frequency);
        return Math.Max(due, notBefore);
    }

    /// <summary>
    /// Waits until a chunk from <paramref name="sender"/> due at <paramref name="due"/> may be delivered: its time has
    /// come and the direction carries. A chunk held by a cut is delivered half a round trip after the cut heals, as a
    /// retransmission gets through once the path is back.
    /// </summary>
    public async Task DeliverableAsync(string sender, string receiver, long due, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = _now;
            if (now.Between(sender, receiver).LosesFrom(sender))
            {
                await now.Changed.Task.WaitAsync(cancellationToken);
                due = Math.Max(due, Due(sender, receiver, due));
                continue;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.WhenAny(Task.Delay(wait, cancellationToken), now.Changed.Task);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private sealed class Snapshot(IReadOnlyList<RegionLink> links)
    {
        public TaskCompletionSource Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Within one location there is no link: nothing delays or cuts it.
        public RegionLink Between(string x, string y) => x == y
            ? new RegionLink(x, y, TimeSpan.Zero, TimeSpan.Zero, false, false, null)
            : links.FirstOrDefault(l => l.Joins(x, y)) ?? throw new InvalidOperationException($"no link between {x} and {y}");
    }
}

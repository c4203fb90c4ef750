namespace CrossClusterIac.Sandbox.Links;

/// <summary>
/// The network between two locations of the sandbox (two regions, or the client and a region), both ways: its round
/// trip, its jitter and which directions lose every packet.
/// </summary>
/// <param name="A">One end, the first in the sandbox's order.</param>
/// <param name="B">The other end.</param>
/// <param name="RoundTrip">Round-trip time added to every exchange over the link.</param>
/// <param name="Jitter">Spread of the one-way delay: each chunk waits half the round trip, give or take half of this.</param>
/// <param name="LostFromA">Whether everything <paramref name="A"/> sends over the link is lost.</param>
/// <param name="LostFromB">Whether everything <paramref name="B"/> sends over the link is lost.</param>
/// <param name="CutSince">When a direction was first lost, while one is; <c>null</c> while both carry.</param>
public sealed record RegionLink(string A, string B, TimeSpan RoundTrip, TimeSpan Jitter, bool LostFromA, bool LostFromB, DateTimeOffset? CutSince)
{
    /// <summary>Whether the link joins <paramref name="x"/> and <paramref name="y"/>, in either order.</summary>
    public bool Joins(string x, string y) => (A == x && B == y) || (A == y && B == x);

    /// <summary>Whether what <paramref name="sender"/> sends over the link is lost.</summary>
    public bool LosesFrom(string sender) => sender == A ? LostFromA : LostFromB;

    /// <summary>Whether both directions carry: only then can a new TCP connection be made over it.</summary>
    public bool Carries => !LostFromA && !LostFromB;

    /// <summary>
    /// This link with what <paramref name="x"/> and the other end send lost or not, and a new round trip or jitter when
    /// given; a cut keeps the time it began until both directions carry again.
    /// </summary>
    public RegionLink Changed(string x, bool lostFromX, bool lostFromOther, TimeSpan? roundTrip, TimeSpan? jitter, DateTimeOffset now)
    {
        var (fromA, fromB) = A == x ? (lostFromX, lostFromOther) : (lostFromOther, lostFromX);
        return this with
        {
            LostFromA = fromA,
            LostFromB = fromB,
            RoundTrip = roundTrip ?? RoundTrip,
            Jitter = jitter ?? Jitter,
            CutSince = fromA || fromB ? CutSince ?? now : null,
        };
    }

    /// <summary>This link cut both ways from <paramref name="now"/>.</summary>
    public RegionLink Cut(DateTimeOffset now) => Changed(A, true, true, null, null, now);

    /// <summary>This link carrying both ways again.</summary>
    public RegionLink Healed() => Changed(A, false, false, null, null, DateTimeOffset.UtcNow);

    /// <summary>How the link's state reads in status and messages: <c>up</c>, <c>down</c>, or the lost direction.</summary>
    public string StateName => (LostFromA, LostFromB) switch
    {
        (false, false) => "up",
        (true, true) => "down",
        (true, false) => $"losing {A}→{B}",
        _ => $"losing {B}→{A}",
    };
}

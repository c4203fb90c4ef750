namespace CrossClusterIac.Sandbox.Links;

/// <summary>The round trip of the link between <paramref name="A"/> and <paramref name="B"/>, as <c>--rtt A:B=DURATION</c> sets it.</summary>
/// <param name="A">One end: a region or <see cref="SandboxLinks.Client"/>.</param>
/// <param name="B">The other end.</param>
/// <param name="RoundTrip">Its round-trip time.</param>
public sealed record LinkRoundTrip(string A, string B, TimeSpan RoundTrip);

using System.CommandLine;
using System.Text.Json;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Sandbox;

/// <summary>The command line of the links between the sandbox's locations: <c>--rtt</c>/<c>--jitter</c> on up and run, <c>sandbox link</c>, and the proxy's own hidden command.</summary>
internal static class LinkCommands
{
    /// <summary><c>--rtt</c>: every link's round trip, or one link's.</summary>
    public static readonly Option<string[]> RoundTripOption = new("--rtt")
    {
        Description = $"Round-trip time of every link between regions and to the client (verify's place), e.g. 80ms; or of one link, A:B=DURATION (e.g. eu:us=150ms, client:eu=20ms); repeat for several. At most {LinkDuration.Format(LinkDuration.Longest)}. [default: 0ms]",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--jitter</c>: spread of every link's one-way delay.</summary>
    public static readonly Option<string> JitterOption = new("--jitter")
    {
        Description = "Spread of each link's one-way delay, e.g. 5ms (each chunk waits half the round trip, give or take half of this; a stream keeps its order). [default: 0ms]",
    };

    /// <summary><paramref name="options"/> with the links <c>--rtt</c> and <c>--jitter</c> ask for.</summary>
    /// <exception cref="SandboxException">A value is no duration, or no <c>A:B=DURATION</c>.</exception>
    public static SandboxOptions WithLinks(SandboxOptions options, ParseResult parsed)
    {
        var roundTrip = TimeSpan.Zero;
        var pairs = new List<LinkRoundTrip>();
        foreach (var value in parsed.GetValue(RoundTripOption) ?? [])
        {
            var parts = value.Split('=', 2, StringSplitOptions.TrimEntries);
            var ends = parts.Length == 2 ? parts[0].Split(':', StringSplitOptions.TrimEntries) : [];
            if (parts.Length == 1)
            {
                roundTrip = Duration("--rtt", value);
            }
            else if (ends.Length == 2 && ends.All(e => e.Length > 0))
            {
                pairs.Add(new LinkRoundTrip(ends[0], ends[1], Duration("--rtt", parts[1])));
            }
            else
            {
                throw new SandboxException($"--rtt: '{value}' is neither a duration (80ms) nor A:B=DURATION (eu:us=150ms).", SandboxException.UsageExitCode);
            }
        }

        var jitter = parsed.GetValue(JitterOption) is { } text ? Duration("--jitter", text) : TimeSpan.Zero;
        return options with { RoundTrip = roundTrip, Jitter = jitter, PairRoundTrips = pairs };
    }

    /// <summary><c>sandbox link A B</c>: shows or changes a link of a running sandbox.</summary>
    public static Command Link(Option<string> directory, Option<OutputFormat> format, TextWriter output)
    {
        var a = new Argument<string>("a") { Description = $"One end: a region, or {SandboxLinks.Client} (where verify and outputs.json's clients run)." };
        var b = new Argument<string>("b") { Description = "The other end." };
        var down = new Option<bool>("--down") { Description = "Cut the link both ways: new connections are refused, open ones stall until it is up again or their endpoints give up." };
        var up = new Option<bool>("--up") { Description = "Heal the link: both ways carry again, and what was held is delivered." };
        var oneWay = new Option<bool>("--one-way") { Description = "Lose only what A sends to B (B's packets still reach A): open connections stall one way, new ones cannot be made." };
        var roundTrip = new Option<string>("--rtt") { Description = "New round-trip time, e.g. 120ms." };
        var jitter = new Option<string>("--jitter") { Description = "New spread of the one-way delay, e.g. 5ms." };
        var command = new Command("link", """
            Show the link between two locations of a running sandbox, or change it: cut it, heal it, lose one direction,
            or give it another round trip. Every cross-region connection (a replica's to its source, a client's to a remote
            pooler, verify's to each region) crosses such a link; connections within a region stay direct.
            """)
        {
            a, b, down, up, oneWay, roundTrip, jitter, directory, format,
        };
        command.SetAction(parsed =>
        {
            var states = new[] { down, up, oneWay }.Count(o => parsed.GetValue(o));
            if (states > 1)
            {
                throw new SandboxException("link: give one of --down, --up and --one-way.", SandboxException.UsageExitCode);
            }

            var sandbox = LocalSandbox.Attach(parsed.GetValue(directory)!);
            var (x, y) = (parsed.GetValue(a)!, parsed.GetValue(b)!);
            var newRoundTrip = parsed.GetValue(roundTrip) is { } r ? Duration("--rtt", r) : (TimeSpan?)null;
            var newJitter = parsed.GetValue(jitter) is { } j ? Duration("--jitter", j) : (TimeSpan?)null;
            var link = sandbox.ChangeLink(x, y, current =>
            {
                var (fromX, fromY) = parsed.GetValue(down) ? (true, true)
                    : parsed.GetValue(up) ? (false, false)
                    : parsed.GetValue(oneWay) ? (true, false)
                    : (current.LosesFrom(x), current.LosesFrom(y));
                return current.Changed(x, fromX, fromY, newRoundTrip, newJitter, DateTimeOffset.UtcNow);
            });
            Write(output, parsed.GetValue(format), [link]);
            return 0;
        });
        return command;
    }

    /// <summary>The hidden <c>sandbox link-daemon</c>: the link proxy's process, which the sandbox starts itself.</summary>
    public static Command Daemon(Option<string> directory)
    {
        var command = new Command("link-daemon", "The link proxy's own process; `sandbox up` starts it and `sandbox down` stops it.") { directory };
        command.Hidden = true;
        command.SetAction((parsed, cancellationToken) => LinkDaemon.RunAsync(Path.GetFullPath(parsed.GetValue(directory)!), cancellationToken));
        return command;
    }

    /// <summary>Prints links: one line each for people, or a JSON document.</summary>
    public static void Write(TextWriter output, OutputFormat format, IReadOnlyList<RegionLink> links)
    {
        if (format == OutputFormat.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { links = links.Select(Json) }, TopologyOutputsJson.Options));
            return;
        }

        foreach (var link in links)
        {
            output.WriteLine(Line(link));
        }
    }

    /// <summary>A link as one line: ends, round trip, jitter, state and since when it is cut.</summary>
    public static string Line(RegionLink link) =>
        $"link {$"{link.A}–{link.B}",-14} rtt {LinkDuration.Format(link.RoundTrip),-9} jitter {LinkDuration.Format(link.Jitter),-7} {link.StateName}{(link.CutSince is { } since ? $" since {since:yyyy-MM-ddTHH:mm:ss.fffZ}" : string.Empty)}";

    /// <summary>A link as scripts read it.</summary>
    public static object Json(RegionLink link) => new
    {
        a = link.A,
        b = link.B,
        roundTripMs = link.RoundTrip.TotalMilliseconds,
        jitterMs = link.Jitter.TotalMilliseconds,
        state = link.StateName,
        lostFromA = link.LostFromA,
        lostFromB = link.LostFromB,
        cutSince = link.CutSince,
    };

    private static TimeSpan Duration(string option, string text) => LinkDuration.TryParse(text, out var duration)
        ? duration
        : throw new SandboxException($"{option}: '{text}' is not a duration of at most {LinkDuration.Format(LinkDuration.Longest)}; give e.g. 80ms or 0.15s.", SandboxException.UsageExitCode);
}

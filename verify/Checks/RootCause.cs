using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>What a server a failed check could not get past was doing.</summary>
public enum ServerState
{
    /// <summary>It refuses TCP connections: the process does not run.</summary>
    Down,

    /// <summary>It accepts TCP but does not answer: stopped or overloaded.</summary>
    Stuck,

    /// <summary>No TCP connection is made at all: a firewall or route drops packets to it.</summary>
    Unreachable,
}

/// <summary>
/// The server a check failed on because of it, so that the report names one cause for every check it stopped rather
/// than one failure per check.
/// </summary>
/// <param name="Region">The region of the server.</param>
/// <param name="Server">PostgreSQL or PgBouncer.</param>
/// <param name="State">What it was doing.</param>
public sealed record RootCause(string Region, EndpointKind Server, ServerState State)
{
    /// <summary>The cause an answer to a fresh TCP connection shows, or <c>null</c> when the server answers.</summary>
    public static RootCause? Of(ConnectionTarget target, Answer answer) => answer switch
    {
        Answer.Refused => new RootCause(target.Region, target.Kind, ServerState.Down),
        Answer.Silent => new RootCause(target.Region, target.Kind, ServerState.Stuck),
        Answer.Unreachable => new RootCause(target.Region, target.Kind, ServerState.Unreachable),
        _ => null,
    };
}

/// <summary>A diagnosis in words, and the server behind it when one is.</summary>
/// <param name="Text">What is wrong and where to look.</param>
/// <param name="Cause">The server the failure comes from, or <c>null</c> when it is not a server that does not serve.</param>
public sealed record Diagnosis(string Text, RootCause? Cause);

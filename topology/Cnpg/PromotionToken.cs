using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// CNPG v1.30's demotion (and promotion) token: <c>pkg/utils/parser.go</c> PgControldataTokenContent, the old
/// primary's <c>pg_controldata</c> after a clean shutdown, as standard padded base64 of compact JSON in struct field
/// order (CreatePromotionToken, ParsePgControldataToken). Every field is text, as in CNPG.
/// </summary>
public sealed record PromotionToken
{
    /// <summary>The operator version CNPG v1.30.0 writes (<c>pkg/versions/versions.go</c>).</summary>
    public const string CnpgVersion = "1.30.0";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>"Latest checkpoint's TimeLineID".</summary>
    [JsonPropertyName("latestCheckpointTimelineID")]
    public string? LatestCheckpointTimelineId { get; init; }

    /// <summary>"Latest checkpoint's REDO WAL file".</summary>
    [JsonPropertyName("redoWalFile")]
    public string? RedoWalFile { get; init; }

    /// <summary>"Database system identifier".</summary>
    [JsonPropertyName("databaseSystemIdentifier")]
    public string? DatabaseSystemIdentifier { get; init; }

    /// <summary>"Latest checkpoint's REDO location".</summary>
    [JsonPropertyName("latestCheckpointREDOLocation")]
    public string? LatestCheckpointRedoLocation { get; init; }

    /// <summary>"Time of latest checkpoint", as pg_controldata prints it.</summary>
    [JsonPropertyName("timeOfLatestCheckpoint")]
    public string? TimeOfLatestCheckpoint { get; init; }

    /// <summary>The operator that made the token.</summary>
    [JsonPropertyName("operatorVersion")]
    public string? OperatorVersion { get; init; }

    /// <summary>
    /// The token of an instance that was shut down cleanly (generateDemotionToken in
    /// <c>pkg/reconciler/replicaclusterswitch/shutdown_wal.go</c> waits for "shut down" or "shut down in recovery").
    /// </summary>
    /// <exception cref="CnpgRealisationException">The instance is not shut down cleanly, so CNPG would keep waiting.</exception>
    public static PromotionToken FromShutDownInstance(ControlData control)
    {
        var state = control.Get("Database cluster state");
        if (state is not ("shut down" or "shut down in recovery"))
        {
            throw new CnpgRealisationException($"PostgreSQL is not shut down (its cluster state is '{state}'), so CNPG would not make a demotion token yet");
        }

        return new PromotionToken
        {
            LatestCheckpointTimelineId = control.Get("Latest checkpoint's TimeLineID"),
            RedoWalFile = control.Get("Latest checkpoint's REDO WAL file"),
            DatabaseSystemIdentifier = control.Get("Database system identifier"),
            LatestCheckpointRedoLocation = control.Get("Latest checkpoint's REDO location"),
            TimeOfLatestCheckpoint = control.Get("Time of latest checkpoint"),
            OperatorVersion = CnpgVersion,
        };
    }

    /// <summary>Decodes a token; as ParsePgControldataToken and IsValid, which CNPG's webhook runs on <c>promotionToken</c>.</summary>
    /// <exception cref="CnpgRealisationException">"invalid promotion token (…)", with CNPG's reason.</exception>
    public static PromotionToken Parse(string token)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(token);
        }
        catch (FormatException)
        {
            throw new CnpgRealisationException("invalid promotion token (Base64 decoding failed)");
        }

        PromotionToken parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<PromotionToken>(bytes, Json) ?? throw new CnpgRealisationException("invalid promotion token (JSON decoding failed)");
        }
        catch (JsonException)
        {
            throw new CnpgRealisationException("invalid promotion token (JSON decoding failed)");
        }

        return parsed.Valid();
    }

    /// <summary>The token as CNPG writes it into <c>.status.demotionToken</c>.</summary>
    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json)));

    /// <summary>
    /// Whether the standby whose restartpoint <paramref name="standby"/> describes (read after a CHECKPOINT) may be
    /// promoted with this token: <c>pkg/promotiontoken/promotion_token.go</c> ValidateAgainstInstanceStatus, checked as
    /// CNPG checks it, in its order and with its messages.
    /// </summary>
    public TokenVerdict VerifyAgainst(ControlData standby)
    {
        var system = standby.Get("Database system identifier");
        if (DatabaseSystemIdentifier != system)
        {
            return TokenVerdict.Refuse($"mismatching system identifiers, current:{system} wanted:{DatabaseSystemIdentifier}");
        }

        var currentTimeline = standby.Get("Latest checkpoint's TimeLineID");
        if (!int.TryParse(LatestCheckpointTimelineId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var wantedTimeline))
        {
            return TokenVerdict.Refuse($"promotion token timeline is not an integer: {LatestCheckpointTimelineId}");
        }

        if (!int.TryParse(currentTimeline, NumberStyles.Integer, CultureInfo.InvariantCulture, out var timeline))
        {
            return TokenVerdict.Refuse($"current timeline is not an integer: {currentTimeline}");
        }

        if (wantedTimeline > timeline)
        {
            return TokenVerdict.Wait($"requested timeline not reached, current:{timeline} wanted:{wantedTimeline}");
        }

        if (wantedTimeline < timeline)
        {
            return TokenVerdict.Refuse($"requested timeline is older than current one, current:{timeline} wanted:{wantedTimeline}");
        }

        var replayed = standby.Get("Latest checkpoint's REDO location");
        if (!Lsn.TryParse(LatestCheckpointRedoLocation, out var wanted))
        {
            return TokenVerdict.Refuse($"promotion token LSN is invalid: {LatestCheckpointRedoLocation}");
        }

        if (!Lsn.TryParse(replayed, out var current))
        {
            return TokenVerdict.Refuse($"last replay LSN is invalid: {replayed}");
        }

        return wanted.Value.CompareTo(current.Value) switch
        {
            < 0 => TokenVerdict.Refuse($"promotion token LSN ({LatestCheckpointRedoLocation}) is older than the last replay LSN ({replayed})"),
            > 0 => TokenVerdict.Wait($"waiting for promotion token LSN ({LatestCheckpointRedoLocation}) to be replayed (the last replayed LSN is {replayed})"),
            _ => TokenVerdict.Promote,
        };
    }

    // IsValid: every field must be set, checked in CNPG's order.
    private PromotionToken Valid()
    {
        foreach (var (name, value) in new[]
        {
            ("LatestCheckpointTimelineID", LatestCheckpointTimelineId),
            ("REDOWALFile", RedoWalFile),
            ("DatabaseSystemIdentifier", DatabaseSystemIdentifier),
            ("LatestCheckpointREDOLocation", LatestCheckpointRedoLocation),
            ("TimeOfLatestCheckpoint", TimeOfLatestCheckpoint),
            ("OperatorVersion", OperatorVersion),
        })
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new CnpgRealisationException($"invalid promotion token ({name} is empty)");
            }
        }

        return this;
    }
}

/// <summary>What CNPG's instance manager does with a promotion token: promote, wait and look again, or refuse for good.</summary>
/// <param name="Outcome">The decision.</param>
/// <param name="Reason">CNPG's message, when it does not promote.</param>
public sealed record TokenVerdict(TokenOutcome Outcome, string? Reason)
{
    /// <summary>Promote now.</summary>
    public static readonly TokenVerdict Promote = new(TokenOutcome.Promote, null);

    /// <summary>A retryable TokenVerificationError: CNPG requeues every 10 s.</summary>
    public static TokenVerdict Wait(string reason) => new(TokenOutcome.Wait, reason);

    /// <summary>A fatal one: CNPG sets the Cluster's phase to Unrecoverable and never promotes with it.</summary>
    public static TokenVerdict Refuse(string reason) => new(TokenOutcome.Refuse, reason);
}

/// <summary>The decision on a promotion token.</summary>
public enum TokenOutcome
{
    /// <summary>The standby has replayed exactly up to the token's checkpoint.</summary>
    Promote,

    /// <summary>The standby has not got there yet.</summary>
    Wait,

    /// <summary>The token does not belong to this standby's history, or points behind it.</summary>
    Refuse,
}

/// <summary><c>pg_controldata</c>'s output, read as CNPG reads it (ParsePgControldataOutput: each line cut at the first ':', both sides trimmed).</summary>
/// <param name="Fields">Label to value.</param>
public sealed record ControlData(IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>Reads <c>pg_controldata</c>'s output (run with <c>LC_ALL=C</c>: its labels are translated).</summary>
    public static ControlData Parse(string output) => new(output
        .Split('\n')
        .Select(line => line.Split(':', 2))
        .Where(parts => parts.Length == 2)
        .GroupBy(parts => parts[0].Trim(), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.Ordinal));

    /// <summary>The value of a label, or <c>null</c>.</summary>
    public string? Get(string label) => Fields.GetValueOrDefault(label);
}

/// <summary>A PostgreSQL WAL location, <c>X/Y</c> in hexadecimal.</summary>
/// <param name="Value">The 64-bit position.</param>
public readonly record struct Lsn(ulong Value)
{
    /// <summary>Reads <c>X/Y</c>.</summary>
    public static bool TryParse(string? text, out Lsn lsn)
    {
        lsn = default;
        var parts = text?.Split('/');
        if (parts is not [var high, var low]
            || !uint.TryParse(high, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h)
            || !uint.TryParse(low, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var l))
        {
            return false;
        }

        lsn = new Lsn(((ulong)h << 32) | l);
        return true;
    }

    /// <summary>Bytes from <paramref name="earlier"/> to this one (0 when it is not earlier).</summary>
    public ulong BytesAfter(Lsn earlier) => Value > earlier.Value ? Value - earlier.Value : 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Value >> 32:X}/{Value & 0xFFFFFFFF:X}";
}

using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Tests.Topology.Switchover;

/// <summary>Issue 11: the demotion token as CNPG v1.30 encodes it and the checks its instance manager makes before promoting.</summary>
public sealed class PromotionTokenTests
{
    // pg_controldata (PostgreSQL 15, LC_ALL=C) of a primary after a fast shutdown.
    private const string ShutDown = """
        pg_control version number:            1300
        Database system identifier:           7714230579408979764
        Database cluster state:               shut down
        pg_control last modified:             Tue Dec  1 07:14:34 2026
        Latest checkpoint location:           0/4000028
        Latest checkpoint's REDO location:    0/4000028
        Latest checkpoint's REDO WAL file:    000000010000000000000004
        Latest checkpoint's TimeLineID:       1
        Time of latest checkpoint:            Tue Dec  1 07:14:34 2026
        """;

    // CNPG's own encoding of these values (json.Marshal then base64.StdEncoding), as its operator writes .status.demotionToken.
    private const string CnpgToken = "eyJsYXRlc3RDaGVja3BvaW50VGltZWxpbmVJRCI6IjEiLCJyZWRvV2FsRmlsZSI6IjAwMDAwMDAxMDAwMDAwMDAwMDAwMDAwNCIsImRhdGFiYXNlU3lzdGVtSWRlbnRpZmllciI6Ijc3MTQyMzA1Nzk0MDg5Nzk3NjQiLCJsYXRlc3RDaGVja3BvaW50UkVET0xvY2F0aW9uIjoiMC80MDAwMDI4IiwidGltZU9mTGF0ZXN0Q2hlY2twb2ludCI6IlR1ZSBEZWMgIDEgMDc6MTQ6MzQgMjAyNiIsIm9wZXJhdG9yVmVyc2lvbiI6IjEuMzAuMCJ9";

    [Fact]
    public void TheTokenOfAShutDownPrimaryIsByteForByteWhatCnpgWrites()
    {
        Assert.Equal(CnpgToken, PromotionToken.FromShutDownInstance(ControlData.Parse(ShutDown)).Encode());
    }

    [Theory]
    [InlineData("in production")]
    [InlineData("in crash recovery")]
    public void NoTokenIsMadeUntilThePrimaryIsShutDownCleanly(string state)
    {
        var control = ControlData.Parse(ShutDown.Replace("shut down", state, StringComparison.Ordinal));

        var refused = Assert.Throws<CnpgRealisationException>(() => PromotionToken.FromShutDownInstance(control));
        Assert.Contains(state, refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, TokenOutcome, string> Standbys => new()
    {
        // standby's restartpoint after CHECKPOINT, what CNPG decides, a word of its message
        { "the same checkpoint", ShutDown, TokenOutcome.Promote, string.Empty },
        { "another system (a forged token)", ShutDown.Replace("7714230579408979764", "7714230579408979765", StringComparison.Ordinal), TokenOutcome.Refuse, "mismatching system identifiers" },
        { "behind the token", ShutDown.Replace("REDO location:    0/4000028", "REDO location:    0/30B2B18", StringComparison.Ordinal), TokenOutcome.Wait, "waiting for promotion token LSN (0/4000028) to be replayed (the last replayed LSN is 0/30B2B18)" },
        { "past the token (a stale token)", ShutDown.Replace("REDO location:    0/4000028", "REDO location:    0/5000060", StringComparison.Ordinal), TokenOutcome.Refuse, "is older than the last replay LSN" },
        { "on a later timeline (a token of before the last promotion)", ShutDown.Replace("TimeLineID:       1", "TimeLineID:       2", StringComparison.Ordinal), TokenOutcome.Refuse, "requested timeline is older than current one, current:2 wanted:1" },
        { "on an earlier timeline", ShutDown.Replace("TimeLineID:       1", "TimeLineID:       0", StringComparison.Ordinal), TokenOutcome.Wait, "requested timeline not reached" },
    };

    [Theory]
    [MemberData(nameof(Standbys))]
    public void APromotionTokenIsCheckedAgainstTheStandbysRestartpointAsCnpgChecksIt(string standby, string control, TokenOutcome outcome, string reason)
    {
        var verdict = PromotionToken.Parse(CnpgToken).VerifyAgainst(ControlData.Parse(control));

        Assert.True(outcome == verdict.Outcome, $"{standby}: {verdict}");
        Assert.Contains(reason, verdict.Reason ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void CnpgsOwnForgedTokenIsValidInFormButRefusedByTheStandby()
    {
        // tests/e2e/replica_mode_cluster_test.go: the REDO location set to 0/0 still passes IsValid.
        var forged = (PromotionToken.Parse(CnpgToken) with { LatestCheckpointRedoLocation = "0/0" }).Encode();

        var verdict = PromotionToken.Parse(forged).VerifyAgainst(ControlData.Parse(ShutDown));

        Assert.Equal(TokenOutcome.Refuse, verdict.Outcome);
        Assert.Equal("promotion token LSN (0/0) is older than the last replay LSN (0/4000028)", verdict.Reason);
    }

    [Theory]
    [InlineData("%%%", "Base64 decoding failed")]
    [InlineData("bm90IGpzb24=", "JSON decoding failed")]
    [InlineData("e30=", "LatestCheckpointTimelineID is empty")]
    public void AMalformedTokenIsRefusedWithCnpgsReason(string token, string reason)
    {
        var refused = Assert.Throws<CnpgRealisationException>(() => PromotionToken.Parse(token));

        Assert.Equal($"invalid promotion token ({reason})", refused.Message);
    }
}

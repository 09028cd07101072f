using System.Text;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>The line reader matches names on bytes; these pin what it must still accept and refuse.</summary>
public sealed class LedgerRecordParsingTests
{
    private const string Snapshot =
        """{"type":"snapshot","key":"k1","at":"2026-11-21T10:00:00+00:00","provider":"Replicate","account":"acct","input":"h1","id":"j1","model":"hailuo-2.3","state":"Submitted","status":"Failed","error":{"kind":"JobFailed","message":"flagged"},"request":{"prompt":"a cat","duration":6,"resolution":"768P"},"tag":{"scene":"harbour"}}""";

    private static LedgerRecord? Parse(string line, Utf8StringPool? pool = null) =>
        LedgerRecord.TryParse(Encoding.UTF8.GetBytes(line), pool ?? new Utf8StringPool());

    [Fact]
    public void Fields_in_the_written_order_are_all_read()
    {
        var r = Parse(Snapshot)!;
        Assert.Equal(("snapshot", "k1", HailuoProvider.Replicate, "acct", "h1", "j1"), (r.Type, r.Key, r.Provider, r.Account, r.InputHash, r.JobId));
        Assert.Equal((LedgerState.Submitted, JobStatus.Failed, HailuoErrorKind.JobFailed, "flagged"), (r.State, r.JobStatus, r.Error!.Kind, r.Error.Message));
        Assert.Equal(("a cat", 6, "768P"), (r.Request!.Prompt, r.Request.Duration, r.Request.Resolution));
        Assert.Equal("harbour", r.Tag!["SCENE"]);
    }

    [Fact]
    public void Fields_in_another_order_with_escaped_names_and_unknown_fields_are_read()
    {
        var line = """{"future":{"a":[1,2]},"st\u0061te":"Submitted","provider":"CoreToday","key":"k2","type":"snapshot","at":"2026-11-21T10:00:00+00:00","extra":5}""";
        var r = Parse(line)!;
        Assert.Equal(("snapshot", "k2", HailuoProvider.CoreToday, LedgerState.Submitted), (r.Type, r.Key, r.Provider, r.State));
    }

    [Theory]
    [InlineData("""{"type":"snapshot","key":"k","at":"2026-11-21T10:00:00+00:00","provider":"replicate","state":"Submitted"}""")] // names are exact
    [InlineData("""{"type":"snapshot","key":"k","at":"2026-11-21T10:00:00+00:00","provider":"Nowhere","state":"Submitted"}""")]
    [InlineData("""{"type":"snapshot","key":"k","at":"2026-11-21T10:00:00+00:00","provider":3,"state":"Submitted"}""")]
    [InlineData("""{"type":"snapshot","key":"k","at":"2026-11-21T10:00:00+00:00","provider":"Replicate","state":"Submitted","error":{"kind":"Bogus","message":"x"}}""")]
    [InlineData(""" {"type":"snapshot","key":"k","at":"2026-11-21T10:00:00+00:00","provider":"Replicate","state":"Submitted" """)] // torn
    public void A_value_that_is_not_ours_drops_the_line(string line) => Assert.Null(Parse(line));

    [Fact]
    public void Values_that_repeat_from_line_to_line_are_held_once()
    {
        var pool = new Utf8StringPool();
        var first = Parse(Snapshot, pool)!;
        var second = Parse(Snapshot.Replace("\"k1\"", "\"k2\"", StringComparison.Ordinal), pool)!;
        Assert.Same(first.Account, second.Account);
        Assert.Same(first.Model, second.Model);
        Assert.Same(first.Request!.Resolution, second.Request!.Resolution);
        Assert.Same(first.Tag!.Keys.Single(), second.Tag!.Keys.Single());
        Assert.NotSame(first.Key, second.Key);
        Assert.Equal("acct", second.Account);
    }
}

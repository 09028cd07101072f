using System.Reflection;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>
/// How records add up to entries (LedgerIndex.cs), with no file: records applied in a chosen order, including
/// the orders only a race between processes produces.
/// </summary>
public sealed class LedgerIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static LedgerRecord Intent(string key, string input, int second = 0) => new()
    {
        Type = LedgerRecord.Intent, Key = key, At = T0.AddSeconds(second), Provider = HailuoProvider.Replicate,
        Account = "acct", InputHash = input, Model = HailuoModels.Standard, Request = new VideoRequest { Prompt = "p " + input },
    };

    private static LedgerRecord Submitted(string key, string jobId, int second) => new()
    {
        Type = LedgerRecord.Submitted, Key = key, At = T0.AddSeconds(second), Provider = HailuoProvider.Replicate, JobId = jobId,
    };

    private static LedgerRecord Status(string jobId, JobStatus status, int second) => new()
    {
        Type = LedgerRecord.Status, At = T0.AddSeconds(second), Provider = HailuoProvider.Replicate, JobId = jobId, JobStatus = status,
    };

    private static LedgerRecord Downloaded(string jobId, string path, int second) => new()
    {
        Type = LedgerRecord.Downloaded, At = T0.AddSeconds(second), Provider = HailuoProvider.Replicate, JobId = jobId, VideoPath = path, VideoLength = 10,
    };

    private static LedgerIndex Apply(params LedgerRecord[] records)
    {
        var index = new LedgerIndex();
        foreach (var record in records)
        {
            index.Apply(record);
        }
        return index;
    }

    [Fact]
    public void A_status_and_download_read_before_the_submitted_record_are_folded_into_the_intent()
    {
        // Another process polled and saved the job before this one's "submitted" line reached the file.
        var index = Apply(
            Intent("k1", "h1"),
            Status("j1", JobStatus.Succeeded, 2),
            Downloaded("j1", "/videos/j1.mp4", 3),
            Submitted("k1", "j1", 4));

        var entry = index.FindById(HailuoProvider.Replicate, "j1")!;
        Assert.Equal("k1", entry.Key);
        Assert.Same(entry, index.FindByInput(HailuoProvider.Replicate, "acct", "h1"));
        Assert.Same(entry, index.FindByVideoPath("/videos/j1.mp4"));
        Assert.Equal((LedgerState.Submitted, JobStatus.Succeeded, "/videos/j1.mp4"), (entry.State, entry.Status, entry.VideoPath));
        Assert.Equal(1, index.Jobs);
        Assert.Equal(new[] { "k1" }, index.Matching(LedgerQuery.All).Select(m => m.Entry.Key));
    }

    [Fact]
    public void A_job_id_once_recorded_outranks_a_late_unknown_or_rejected()
    {
        var error = new HailuoError(HailuoErrorKind.OutcomeUnknown, "reset");
        var index = Apply(
            Intent("k1", "h1"),
            Submitted("k1", "j1", 1),
            new LedgerRecord { Type = LedgerRecord.Unknown, Key = "k1", At = T0.AddSeconds(2), Error = error },
            new LedgerRecord { Type = LedgerRecord.Rejected, Key = "k1", At = T0.AddSeconds(3), Error = error });

        var entry = index.FindByKey("k1")!;
        Assert.Equal((LedgerState.Submitted, "j1"), (entry.State, entry.JobId));
        Assert.Null(entry.Error);
    }

    [Fact]
    public void Records_for_a_key_never_seen_change_nothing_and_a_repeated_intent_keeps_the_first()
    {
        var index = Apply(
            Intent("k1", "h1"),
            Submitted("ghost", "j9", 1),
            new LedgerRecord { Type = LedgerRecord.Rejected, Key = "ghost", At = T0.AddSeconds(2), Error = new HailuoError(HailuoErrorKind.Validation, "x") },
            Intent("k1", "h2", 3));

        Assert.Null(index.FindById(HailuoProvider.Replicate, "j9"));
        Assert.Null(index.FindByKey("ghost"));
        Assert.Null(index.FindByInput(HailuoProvider.Replicate, "acct", "h2"));
        Assert.Equal("h1", index.FindByKey("k1")!.InputHash);
        Assert.Equal(1, index.Jobs);
    }

    [Fact]
    public void The_latest_intent_for_an_input_takes_it_over()
    {
        var index = Apply(Intent("k1", "same"), Intent("k2", "same", 1));

        Assert.Equal("k2", index.FindByInput(HailuoProvider.Replicate, "acct", "same")!.Key);
        Assert.False(index.IsLatestForInput("k1"));
        Assert.True(index.IsLatestForInput("k2"));
    }

    [Fact]
    public void The_snapshots_a_compaction_writes_rebuild_the_same_entries_in_the_same_order()
    {
        var original = Apply(
            Intent("k1", "h1"),
            Status("j1", JobStatus.Running, 1),
            Submitted("k1", "j1", 2), // folds in the status-only entry
            Intent("k2", "h2", 3),
            new LedgerRecord { Type = LedgerRecord.Unknown, Key = "k2", At = T0.AddSeconds(4), Error = new HailuoError(HailuoErrorKind.OutcomeUnknown, "timeout", "408") },
            Status("other", JobStatus.Failed, 5),
            Downloaded("j1", "/videos/j1.mp4", 6),
            new LedgerRecord { Type = LedgerRecord.Downloading, At = T0.AddSeconds(7), Provider = HailuoProvider.Replicate, JobId = "other", VideoPath = "/videos/o.mp4", Owner = new ProcessStamp(7, 70) });

        var snapshots = original.Snapshots().ToList();
        var rebuilt = Apply(snapshots.ToArray());

        Assert.All(snapshots, s => Assert.Equal(LedgerRecord.Snapshot, s.Type));
        Assert.Equal(new[] { "k1", "k2", "job:Replicate:other" }, snapshots.Select(s => s.Key));
        Assert.Equal(Describe(original), Describe(rebuilt));
        Assert.Equal((original.Jobs, original.ByInputCount, original.ByIdCount), (rebuilt.Jobs, rebuilt.ByInputCount, rebuilt.ByIdCount));
        Assert.Equal("k1", rebuilt.FindByVideoPath("/videos/j1.mp4")!.Key);
    }

    [Fact]
    public void Cleared_it_forgets_every_entry_and_index()
    {
        var index = Apply(Intent("k1", "h1"), Submitted("k1", "j1", 1), Downloaded("j1", "/videos/j1.mp4", 2));

        index.Clear();

        Assert.Equal((0, 0, 0), (index.Jobs, index.ByInputCount, index.ByIdCount));
        Assert.Null(index.FindByKey("k1"));
        Assert.Null(index.FindByVideoPath("/videos/j1.mp4"));
        Assert.Empty(index.Matching(LedgerQuery.All));
    }

    [Fact]
    public void Newest_first_orders_by_creation_then_by_order_recorded_and_takes_the_first_n()
    {
        var index = Apply(Intent("a", "h1", second: 5), Intent("b", "h2", second: 9), Intent("c", "h3", second: 5));

        Assert.Equal(new[] { "b", "c", "a" }, LedgerIndex.NewestFirst(index.Matching(LedgerQuery.All), first: null).Select(e => e.Key));
        Assert.Equal(new[] { "b", "c" }, LedgerIndex.NewestFirst(index.Matching(LedgerQuery.All), first: 2).Select(e => e.Key));
    }

    /// <summary>Every public property of every entry, in recorded order.</summary>
    private static string[] Describe(LedgerIndex index) =>
        index.Matching(LedgerQuery.All).Select(m => string.Join("; ",
            typeof(LedgerEntry).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.Name != nameof(LedgerEntry.IsDownloaded))
                .Select(p => p.Name + "=" + Show(p.GetValue(m.Entry))))).ToArray();

    private static string Show(object? value) => value switch
    {
        null => "null",
        VideoRequest r => r.Prompt + "|" + r.Model,
        HailuoError e => e.Kind + "|" + e.Code + "|" + e.Message,
        IReadOnlyDictionary<string, string?> tag => string.Join(",", tag.Select(p => p.Key + "=" + p.Value)),
        _ => value.ToString()!,
    };
}

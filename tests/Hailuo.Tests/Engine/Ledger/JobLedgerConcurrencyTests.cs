using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Engine.Ledger.LedgerTestSupport;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>
/// Two <see cref="JobLedger"/> instances on one file stand for two processes: they share nothing in memory and
/// coordinate only through the file and its lock file, exactly as two processes do.
/// </summary>
public sealed class JobLedgerConcurrencyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static HailuoProvider ProviderOf(int i) => (HailuoProvider)(i % 4);

    private static JobStatus FinalOf(int i) => i % 5 == 0 ? JobStatus.Failed : JobStatus.Succeeded;

    [Fact]
    public async Task Two_writers_on_one_file_lose_nothing_and_see_each_other()
    {
        const int perWriter = 500;
        using var a = new JobLedger(_folder.Ledger);
        using var b = new JobLedger(_folder.Ledger);
        var options = new ParallelOptions { MaxDegreeOfParallelism = 4 };

        await Task.WhenAll(
            Task.Run(() => Parallel.For(0, perWriter, options, i => RunJob(a, ProviderOf(i), "a" + i, FinalOf(i)))),
            Task.Run(() => Parallel.For(0, perWriter, options, i => RunJob(b, ProviderOf(i), "b" + i, FinalOf(i)))));

        for (var i = 0; i < perWriter; i++)
        {
            Assert.Equal(FinalOf(i), a.FindByInput(ProviderOf(i), "acct", "b" + i)!.Status);
            Assert.Equal(FinalOf(i), b.FindByInput(ProviderOf(i), "acct", "a" + i)!.Status);
            Assert.Equal("job-a" + i, b.FindById(ProviderOf(i), "job-a" + i)!.JobId);
        }

        var lines = AssertAllLinesParse(_folder.Ledger); // no two records share a line
        Assert.Equal(2 * perWriter * 4, lines.Length);
        using var fresh = new JobLedger(_folder.Ledger);
        var all = fresh.List(LedgerQuery.All);
        Assert.Equal(2 * perWriter, all.Count);
        Assert.All(all, e =>
        {
            var i = int.Parse(e.InputHash!.Substring(1));
            Assert.Equal(LedgerState.Submitted, e.State);
            Assert.Equal(FinalOf(i), e.Status);
            Assert.Equal(ProviderOf(i), e.Provider);
            Assert.Equal("job-" + e.InputHash, e.JobId);
            Assert.NotNull(e.StartedAt);
            Assert.NotNull(e.CompletedAt);
        });
    }

    [Fact]
    public void Compaction_keeps_every_latest_state_shrinks_the_file_and_moves_other_readers_along()
    {
        var video = _folder.File("v.mp4");
        File.WriteAllBytes(video, new byte[42]);
        using var ledger = new JobLedger(_folder.Ledger);
        for (var i = 0; i < 50; i++)
        {
            RunJob(ledger, ProviderOf(i), "j" + i, FinalOf(i), Tag(("row", i.ToString())));
            if (i % 2 == 0)
            {
                ledger.RecordDownloaded(ProviderOf(i), "job-j" + i, video, 42);
            }
        }
        var unknown = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "unknown", Request("p"), NoTag);
        ledger.RecordOutcomeUnknown(unknown, new HailuoError(HailuoErrorKind.OutcomeUnknown, "reset", "ECONNRESET"));
        ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "submitting", Request("p"), NoTag);
        var before = ledger.List(LedgerQuery.All).Select(Describe).ToArray();
        var sizeBefore = new FileInfo(_folder.Ledger).Length;
        using var observer = new JobLedger(_folder.Ledger); // another process, still reading the old file

        ledger.Compact();

        var lines = AssertAllLinesParse(_folder.Ledger);
        Assert.Equal(52 + 1, lines.Length);
        Assert.StartsWith("{\"type\":\"header\"", lines[0]);
        Assert.True(new FileInfo(_folder.Ledger).Length < sizeBefore * 2 / 3, $"{new FileInfo(_folder.Ledger).Length} of {sizeBefore} bytes");
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));
        Assert.Equal(before, ledger.List(LedgerQuery.All).Select(Describe));
        using (var fresh = new JobLedger(_folder.Ledger))
        {
            Assert.Equal(before, fresh.List(LedgerQuery.All).Select(Describe));
            Assert.Equal("job-j7", fresh.FindByInput(ProviderOf(7), "acct", "j7")!.JobId);
            Assert.True(fresh.FindById(ProviderOf(8), "job-j8")!.IsDownloaded);
            Assert.Equal(LedgerState.Submitting, fresh.FindByInput(HailuoProvider.CoreToday, "acct", "submitting")!.State);
            Assert.Equal("ECONNRESET", fresh.FindByInput(HailuoProvider.CoreToday, "acct", "unknown")!.Error!.Code);
        }

        // The compactor writes to the new file, and the reader on the old one follows it there.
        RunJob(ledger, HailuoProvider.Replicate, "after");
        Assert.Equal(JobStatus.Succeeded, observer.FindByInput(HailuoProvider.Replicate, "acct", "after")!.Status);
        Assert.Equal(before, observer.List(LedgerQuery.All).Skip(1).Select(Describe));
        RunJob(observer, HailuoProvider.MiniMax, "from-observer");
        Assert.NotNull(ledger.FindById(HailuoProvider.MiniMax, "job-from-observer"));
        using (var fresh = new JobLedger(_folder.Ledger))
        {
            Assert.Equal(54, fresh.List(LedgerQuery.All).Count);
        }
    }

    [Fact]
    public async Task Appends_from_another_process_during_compactions_are_not_lost()
    {
        const int jobs = 300;
        using var compactor = new JobLedger(_folder.Ledger);
        using var writer = new JobLedger(_folder.Ledger);
        for (var i = 0; i < 20; i++)
        {
            RunJob(compactor, ProviderOf(i), "seed" + i);
        }

        var writing = true;
        var compacted = 0;
        var compactions = Task.Run(() =>
        {
            while (Volatile.Read(ref writing))
            {
                compactor.Compact();
                Interlocked.Increment(ref compacted);
                // The lock is not fair (nobody queues on a lock file): back to back compactions would starve
                // the writer, which real ones, thousands of appends apart, never do.
                Thread.Sleep(5);
            }
        });
        // Three rounds of appends, each after a compaction newer than the last round's start: on a busy machine the
        // compactor's thread may start late, and the appends must not all be over by then.
        const int rounds = 3;
        for (var round = 0; round < rounds; round++)
        {
            var seen = Volatile.Read(ref compacted);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref compacted) > seen, TimeSpan.FromSeconds(30)), "the compactor stopped compacting");
            var from = round * jobs / rounds;
            var to = (round + 1) * jobs / rounds;
            await Task.Run(() => Parallel.For(from, to, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => RunJob(writer, ProviderOf(i), "w" + i, FinalOf(i))));
        }
        Volatile.Write(ref writing, false);
        await compactions;

        foreach (var reader in new[] { compactor, writer, new JobLedger(_folder.Ledger) })
        {
            Assert.Equal(jobs + 20, reader.List(LedgerQuery.All).Count);
            for (var i = 0; i < jobs; i++)
            {
                var entry = reader.FindByInput(ProviderOf(i), "acct", "w" + i)!;
                Assert.Equal(FinalOf(i), entry.Status);
                Assert.Equal("job-w" + i, entry.JobId);
            }
        }
        AssertAllLinesParse(_folder.Ledger);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));
    }

    [Fact]
    public void Appends_compact_the_file_once_it_holds_far_more_lines_than_jobs()
    {
        var video = _folder.File("v.mp4");
        File.WriteAllBytes(video, new byte[5]);
        using var ledger = new JobLedger(_folder.Ledger, autoCompactFloor: 40);
        for (var i = 0; i < 30; i++)
        {
            RunJob(ledger, ProviderOf(i), "j" + i); // four lines
            ledger.RecordDownloaded(ProviderOf(i), "job-j" + i, video, 5); // and a fifth
        }

        var lines = File.ReadAllLines(_folder.Ledger);
        Assert.True(lines.Length < 30 * 5, $"{lines.Length} lines: never compacted");
        Assert.StartsWith("{\"type\":\"header\"", lines[0]);
        Assert.True(ledger.Counts.Lines <= Math.Max(40, 4 * 30));
        using var fresh = new JobLedger(_folder.Ledger);
        var all = fresh.List(LedgerQuery.All);
        Assert.Equal(30, all.Count);
        Assert.All(all, e => Assert.True(e.Status == JobStatus.Succeeded && e.IsDownloaded));
    }

    [Fact]
    public async Task An_append_waits_for_the_lock_another_process_holds_and_fails_clearly_when_it_is_not_released()
    {
        using var ledger = new JobLedger(_folder.Ledger) { LockTimeout = TimeSpan.FromMilliseconds(300) };
        var held = new FileStream(_folder.Ledger + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var error = Assert.Throws<IOException>(() => ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "blocked", Request("p"), NoTag));
        Assert.Contains("locked", error.Message);
        Assert.Null(ledger.FindByInput(HailuoProvider.CoreToday, "acct", "blocked")); // nothing half-written

        ledger.LockTimeout = TimeSpan.FromSeconds(10);
        var release = Task.Run(async () =>
        {
            await Task.Delay(200);
            held.Dispose();
        });
        var entry = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "waited", Request("p"), NoTag);
        await release;
        Assert.Equal(LedgerState.Submitting, entry.State);
    }

    private static string Describe(LedgerEntry e) =>
        string.Join("|", e.Key, e.Provider, e.Account, e.InputHash, e.JobId, e.State, e.Status, e.Model, e.Request?.Prompt,
            string.Join(",", e.Tag.Select(t => t.Key + "=" + t.Value)), e.CreatedAt.ToString("o"), e.UpdatedAt.ToString("o"),
            e.StartedAt?.ToString("o"), e.CompletedAt?.ToString("o"), e.Error?.Kind, e.Error?.Code, e.Error?.Message,
            e.VideoPath, e.VideoLength);
}

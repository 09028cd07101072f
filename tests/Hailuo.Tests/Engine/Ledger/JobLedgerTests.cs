using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Tests.Emulator;
using static Hailuo.Tests.Engine.Ledger.LedgerTestSupport;

namespace Hailuo.Tests.Engine.Ledger;

public sealed class JobLedgerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_whole_job_survives_a_new_process()
    {
        var request = new VideoRequest { Prompt = "a cat on a skateboard", Duration = 10, Resolution = "768p", FirstFrameImage = "https://example.com/cat.png" };
        var tag = Tag(("row", "3"), ("note", null));
        var started = new DateTimeOffset(2026, 11, 21, 10, 0, 5, TimeSpan.Zero);
        var completed = started.AddMinutes(3);
        var video = _folder.File("cat.mp4");
        File.WriteAllBytes(video, new byte[1234]);
        string key;

        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var intent = ledger.RecordIntent(HailuoProvider.CoreToday, "acct-1f2e", "hash-cat", request, tag);
            Assert.Equal(LedgerState.Submitting, intent.State);
            Assert.Null(intent.JobId);
            Assert.Null(intent.Status);
            key = intent.Key;

            var job = new HailuoJob("ct-123", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Queued);
            ledger.RecordSubmitted(intent, job);
            Assert.Equal(LedgerState.Submitting, intent.State); // a snapshot never changes
            ledger.RecordStatus(job.With(status: JobStatus.Running, startedAt: started));
            ledger.RecordStatus(job.With(status: JobStatus.Succeeded, startedAt: started, completedAt: completed,
                videoUri: new Uri("https://cdn.example.com/v.mp4?signature=EXPIRING")));
            ledger.RecordDownloaded(HailuoProvider.CoreToday, "ct-123", video, 1234);
        }

        using (var reopened = new JobLedger(_folder.Ledger))
        {
            var entry = reopened.FindByInput(HailuoProvider.CoreToday, "acct-1f2e", "hash-cat");
            Assert.NotNull(entry);
            Assert.Equal(key, entry!.Key);
            Assert.Equal(LedgerState.Submitted, entry.State);
            Assert.Equal("ct-123", entry.JobId);
            Assert.Equal(JobStatus.Succeeded, entry.Status);
            Assert.Equal(HailuoModels.Standard, entry.Model);
            Assert.Equal(started, entry.StartedAt);
            Assert.Equal(completed, entry.CompletedAt);
            Assert.Equal(Path.GetFullPath(video), entry.VideoPath);
            Assert.Equal(1234, entry.VideoLength);
            Assert.True(entry.IsDownloaded);
            Assert.Equal("a cat on a skateboard", entry.Request!.Prompt);
            Assert.Equal(10, entry.Request.Duration);
            Assert.Equal("https://example.com/cat.png", entry.Request.FirstFrameImage);
            Assert.Equal("3", entry.Tag["row"]);
            Assert.Equal("3", entry.Tag["ROW"]);
            Assert.True(entry.Tag.ContainsKey("note"));
            Assert.Null(entry.Tag["note"]);
            Assert.True(entry.UpdatedAt >= entry.CreatedAt);

            Assert.Same(entry, reopened.FindById(HailuoProvider.CoreToday, "ct-123"));
            Assert.Null(reopened.FindById(HailuoProvider.Replicate, "ct-123"));
            Assert.Null(reopened.FindByInput(HailuoProvider.CoreToday, "another-account", "hash-cat"));
            Assert.Null(reopened.FindByInput(HailuoProvider.MiniMax, "acct-1f2e", "hash-cat"));

            var job = entry.ToJob();
            Assert.True(job.Reused);
            Assert.Equal("ct-123", job.Id);
            Assert.Equal(HailuoProvider.CoreToday, job.Provider);
            Assert.Equal(JobStatus.Succeeded, job.Status);
            Assert.Equal("hash-cat", job.InputHash);
            Assert.Equal("3", job.Tag["row"]);
            Assert.Equal("a cat on a skateboard", job.Request!.Prompt);
            Assert.Equal(completed, job.CompletedAt);
            Assert.Null(job.VideoUri); // links expire: never kept
        }

        Assert.DoesNotContain("EXPIRING", File.ReadAllText(_folder.Ledger));
        AssertAllLinesParse(_folder.Ledger);

        // The check is on disk, each time: a truncated video is not downloaded any more.
        File.WriteAllBytes(video, new byte[10]);
        using var third = new JobLedger(_folder.Ledger);
        Assert.False(third.FindById(HailuoProvider.CoreToday, "ct-123")!.IsDownloaded);
    }

    [Fact]
    public void Entries_and_requests_cannot_be_changed_through_what_the_ledger_hands_out()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        var request = Request("original");
        var intent = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "h", request, Tag(("k", "v")));
        request.Prompt = "changed by the caller";
        intent.Request!.Prompt = "changed through the entry";

        Assert.Equal("original", ledger.FindByInput(HailuoProvider.CoreToday, "acct", "h")!.Request!.Prompt);
        Assert.IsNotType<Dictionary<string, string?>>(intent.Tag);
    }

    [Fact]
    public void A_status_already_recorded_writes_no_new_line()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        var intent = ledger.RecordIntent(HailuoProvider.Replicate, "acct", "h", Request("p"), NoTag);
        var job = new HailuoJob("r-1", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued);
        ledger.RecordSubmitted(intent, job);
        var running = job.With(status: JobStatus.Running, startedAt: DateTimeOffset.UtcNow);
        ledger.RecordStatus(running);
        var lines = File.ReadAllLines(_folder.Ledger).Length;

        ledger.RecordStatus(running);
        ledger.RecordStatus(running);
        Assert.Equal(lines, File.ReadAllLines(_folder.Ledger).Length);

        ledger.RecordStatus(running.With(status: JobStatus.Failed, error: new HailuoError(HailuoErrorKind.ContentFiltered, "flagged", "E005")));
        Assert.Equal(lines + 1, File.ReadAllLines(_folder.Ledger).Length);
        var entry = ledger.FindById(HailuoProvider.Replicate, "r-1")!;
        Assert.Equal(JobStatus.Failed, entry.Status);
        Assert.Equal(HailuoErrorKind.ContentFiltered, entry.Error!.Kind);
        Assert.Equal("E005", entry.Error.Code);
        Assert.Equal("flagged", entry.Error.Message);
    }

    [Fact]
    public void An_unknown_outcome_is_kept_and_a_later_job_id_resolves_it()
    {
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var intent = ledger.RecordIntent(HailuoProvider.MiniMax, "acct", "h-timeout", Request("p"), NoTag);
            ledger.RecordOutcomeUnknown(intent, new HailuoError(HailuoErrorKind.OutcomeUnknown, "The create timed out after 100 s.", "timeout"));
        }
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var entry = ledger.FindByInput(HailuoProvider.MiniMax, "acct", "h-timeout")!;
            Assert.Equal(LedgerState.OutcomeUnknown, entry.State);
            Assert.Equal(HailuoErrorKind.OutcomeUnknown, entry.Error!.Kind);
            Assert.Equal("timeout", entry.Error.Code);
            Assert.Equal("The create timed out after 100 s.", entry.Error.Message);
            Assert.Null(entry.JobId);
            Assert.Throws<InvalidOperationException>(() => entry.ToJob());
            Assert.Single(ledger.List(new LedgerQuery { State = LedgerState.OutcomeUnknown }));

            // The user found the job on the dashboard: recording it makes the entry whole again.
            ledger.RecordSubmitted(entry, new HailuoJob("task-9", HailuoProvider.MiniMax, HailuoModels.Standard, JobStatus.Running));
            var resolved = ledger.FindByInput(HailuoProvider.MiniMax, "acct", "h-timeout")!;
            Assert.Equal(LedgerState.Submitted, resolved.State);
            Assert.Equal(JobStatus.Running, resolved.Status);
            Assert.Null(resolved.Error);
        }
    }

    [Fact]
    public void Only_the_first_to_settle_a_create_that_never_arrived_records_it_so()
    {
        var never = new HailuoError(HailuoErrorKind.NotFound, "never arrived");
        using var first = new JobLedger(_folder.Ledger);
        using var second = new JobLedger(_folder.Ledger);
        var open = first.RecordIntent(HailuoProvider.Replicate, "acct", "lost", Request("p"), NoTag);
        var seenBySecond = second.FindByInput(HailuoProvider.Replicate, "acct", "lost")!;

        Assert.True(first.RecordNeverArrived(open, never));
        // The other process read the entry while it was still open; it must not send the input a second time.
        Assert.False(second.RecordNeverArrived(seenBySecond, never));
        Assert.Equal(LedgerState.Rejected, second.FindByInput(HailuoProvider.Replicate, "acct", "lost")!.State);

        // Neither once a job id settled it, nor once a newer entry for the same input exists.
        var found = first.RecordIntent(HailuoProvider.Replicate, "acct", "found", Request("q"), NoTag);
        first.RecordSubmitted(found, new HailuoJob("r-found", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued));
        Assert.False(second.RecordNeverArrived(found, never));
        var older = first.RecordIntent(HailuoProvider.Replicate, "acct", "again", Request("r"), NoTag);
        first.RecordIntent(HailuoProvider.Replicate, "acct", "again", Request("r"), NoTag);
        Assert.False(second.RecordNeverArrived(older, never));
        Assert.Equal(LedgerState.Submitted, second.FindByInput(HailuoProvider.Replicate, "acct", "found")!.State);
    }

    [Fact]
    public void An_intent_is_not_written_over_an_entry_another_process_wrote_since_the_ledger_was_read()
    {
        using var first = new JobLedger(_folder.Ledger);
        using var second = new JobLedger(_folder.Ledger);
        // Both read the ledger and found nothing for this input...
        Assert.Null(first.FindByInput(HailuoProvider.Replicate, "acct", "same"));
        Assert.Null(second.FindByInput(HailuoProvider.Replicate, "acct", "same"));

        // ...then each decided to pay: only the first to write may.
        var mine = first.TryRecordIntent(HailuoProvider.Replicate, "acct", "same", Request("p"), NoTag, basedOn: null);
        Assert.NotNull(mine);
        Assert.Null(second.TryRecordIntent(HailuoProvider.Replicate, "acct", "same", Request("p"), NoTag, basedOn: null));

        // Based on what is there now, it may: a rejected create, for instance, is sent again.
        first.RecordRejected(mine!, new HailuoError(HailuoErrorKind.InsufficientCredits, "no credits"));
        var latest = second.FindByInput(HailuoProvider.Replicate, "acct", "same")!;
        Assert.NotNull(second.TryRecordIntent(HailuoProvider.Replicate, "acct", "same", Request("p"), NoTag, basedOn: latest));
        Assert.Equal(2, second.List(LedgerQuery.All).Count);
    }

    [Fact]
    public void A_crash_leaves_the_intent_as_outcome_unknown_and_a_torn_line_is_skipped()
    {
        string crashedKey;
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            RunJob(ledger, HailuoProvider.CoreToday, "before");
            // The process dies after writing the intent, before the create returned.
            crashedKey = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "crashed", Request("p"), NoTag).Key;
        }
        // ...and another one died half-way through writing the submitted record.
        File.AppendAllText(_folder.Ledger,
            "{\"type\":\"submitted\",\"key\":\"" + crashedKey + "\",\"at\":\"2026-11-21T10:00:00+00:00\",\"provider\":\"CoreToday\",\"id\":\"gho");

        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var crashed = ledger.FindByInput(HailuoProvider.CoreToday, "acct", "crashed")!;
            Assert.Equal(LedgerState.Submitting, crashed.State);
            Assert.Null(crashed.JobId);
            Assert.Null(ledger.FindById(HailuoProvider.CoreToday, "gho"));
            Assert.Equal(JobStatus.Succeeded, ledger.FindByInput(HailuoProvider.CoreToday, "acct", "before")!.Status);

            RunJob(ledger, HailuoProvider.CoreToday, "after");
        }

        var lines = File.ReadAllLines(_folder.Ledger);
        var torn = Array.FindIndex(lines, l => l.EndsWith("\"id\":\"gho", StringComparison.Ordinal));
        Assert.True(torn > 0, "the torn line is still there, on a line of its own");
        Assert.StartsWith("{\"type\":\"submitted\"", lines[torn]);
        for (var i = torn + 1; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]); // every later record is whole
        }
        Assert.Equal(4, lines.Length - torn - 1);

        using (var ledger = new JobLedger(_folder.Ledger))
        {
            Assert.Equal(LedgerState.Submitting, ledger.FindByInput(HailuoProvider.CoreToday, "acct", "crashed")!.State);
            var after = ledger.FindByInput(HailuoProvider.CoreToday, "acct", "after")!;
            Assert.Equal("job-after", after.JobId);
            Assert.Equal(JobStatus.Succeeded, after.Status);
            Assert.Equal(3, ledger.List(LedgerQuery.All).Count);
        }
    }

    [Fact]
    public void A_saved_video_is_found_by_its_path_and_the_latest_download_there_wins_in_a_new_process_too()
    {
        var shared = _folder.File("shared.mp4");
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var first = RunJob(ledger, HailuoProvider.Replicate, "first");
            var second = RunJob(ledger, HailuoProvider.Replicate, "second");
            ledger.RecordDownloaded(HailuoProvider.Replicate, first, shared, 10);
            Assert.Equal(first, ledger.FindByVideoPath(shared)!.JobId);
            ledger.RecordDownloaded(HailuoProvider.Replicate, second, shared, 10);
            ledger.RecordDownloaded(HailuoProvider.Replicate, first, _folder.File("first.mp4"), 10);
            Assert.Equal(second, ledger.FindByVideoPath(shared)!.JobId);
            Assert.Equal(first, ledger.FindByVideoPath(_folder.File("first.mp4"))!.JobId);
            Assert.Null(ledger.FindByVideoPath(_folder.File("none.mp4")));
        }
        using (var reopened = new JobLedger(_folder.Ledger))
        {
            Assert.Equal("job-second", reopened.FindByVideoPath(shared)!.JobId);
            reopened.Compact();
            Assert.Equal("job-first", reopened.FindByVideoPath(_folder.File("first.mp4"))!.JobId);
        }
    }

    [Fact]
    public void A_line_in_progress_is_not_read_until_it_is_complete()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        RunJob(ledger, HailuoProvider.CoreToday, "one");
        var line = File.ReadAllLines(_folder.Ledger)[0].Replace("\"input\":\"one\"", "\"input\":\"two\"")
            .Replace(ledger.FindByInput(HailuoProvider.CoreToday, "acct", "one")!.Key, "k2");

        File.AppendAllText(_folder.Ledger, line.Substring(0, 40));
        Assert.Null(ledger.FindByInput(HailuoProvider.CoreToday, "acct", "two"));
        File.AppendAllText(_folder.Ledger, line.Substring(40) + "\n");
        Assert.Equal("k2", ledger.FindByInput(HailuoProvider.CoreToday, "acct", "two")!.Key);
    }

    [Fact]
    public void A_re_run_finds_the_latest_entry_for_its_input()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        var first = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "same", Request("p"), NoTag);
        ledger.RecordSubmitted(first, new HailuoJob("old", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Failed));
        var second = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "same", Request("p"), NoTag);
        ledger.RecordSubmitted(second, new HailuoJob("new", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Queued));

        Assert.Equal("new", ledger.FindByInput(HailuoProvider.CoreToday, "acct", "same")!.JobId);
        Assert.Equal(first.Key, ledger.FindById(HailuoProvider.CoreToday, "old")!.Key);
        using var reopened = new JobLedger(_folder.Ledger);
        Assert.Equal("new", reopened.FindByInput(HailuoProvider.CoreToday, "acct", "same")!.JobId);
    }

    [Fact]
    public void Jobs_it_did_not_submit_are_added_by_their_status_and_download()
    {
        var video = _folder.File("v.mp4");
        File.WriteAllBytes(video, new byte[77]);
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var job = new HailuoJob("cf-1", HailuoProvider.Cloudflare, HailuoModels.Fast, JobStatus.Succeeded)
                .With(createdAt: created, taskId: "task-cf", tag: Tag(("from", "Get-HailuoJob")));
            ledger.RecordStatus(job);
            ledger.RecordDownloaded(HailuoProvider.Cloudflare, "cf-1", video, 77);
            ledger.RecordDownloaded(HailuoProvider.MiniMax, "mm-only-downloaded", video, 77);
        }
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var entry = ledger.FindById(HailuoProvider.Cloudflare, "cf-1")!;
            Assert.Null(entry.Account);
            Assert.Equal(LedgerState.Submitted, entry.State);
            Assert.Equal(JobStatus.Succeeded, entry.Status);
            Assert.Equal(HailuoModels.Fast, entry.Model);
            Assert.Equal(created, entry.CreatedAt);
            Assert.Equal("task-cf", entry.TaskId);
            Assert.Equal("task-cf", entry.ToJob().TaskId);
            Assert.Equal("Get-HailuoJob", entry.Tag["from"]);
            Assert.True(entry.IsDownloaded);
            Assert.True(ledger.FindById(HailuoProvider.MiniMax, "mm-only-downloaded")!.IsDownloaded);
        }
    }

    [Fact]
    public void Data_uri_images_are_stored_as_a_hash_and_urls_and_paths_as_given()
    {
        var png = TestImages.Png(64, 48);
        var dataUri = TestImages.DataUri(png);
        var payload = dataUri.Substring(dataUri.IndexOf(',') + 1);
        var expected = "data:image/png;sha256=" + Convert.ToHexString(SHA256.HashData(png)).ToLowerInvariant();
        var request = Request("from a frame");
        request.FirstFrameImage = dataUri;
        var localPath = Path.Combine("frames", "first.png");

        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var intent = ledger.RecordIntent(HailuoProvider.Replicate, "acct", "img", request, NoTag);
            Assert.Equal(expected, intent.Request!.FirstFrameImage);
            Assert.Equal(dataUri, request.FirstFrameImage); // the caller's request is untouched
            var job = new HailuoJob("r-img", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued).With(request: request);
            ledger.RecordStatus(job); // a job it did not submit, carrying the same image

            ledger.RecordIntent(HailuoProvider.Replicate, "acct", "url", new VideoRequest { FirstFrameImage = "https://example.com/a.png?x=1" }, NoTag);
            ledger.RecordIntent(HailuoProvider.Replicate, "acct", "path", new VideoRequest { FirstFrameImage = localPath }, NoTag);
        }

        var text = File.ReadAllText(_folder.Ledger);
        Assert.DoesNotContain(payload.Substring(0, 40), text);
        Assert.DoesNotContain("base64", text);
        Assert.True(text.Length < 4000, $"the ledger holds {text.Length} characters");
        using var reopened = new JobLedger(_folder.Ledger);
        Assert.Equal(expected, reopened.FindByInput(HailuoProvider.Replicate, "acct", "img")!.Request!.FirstFrameImage);
        Assert.Equal(expected, reopened.FindById(HailuoProvider.Replicate, "r-img")!.Request!.FirstFrameImage);
        Assert.Equal("https://example.com/a.png?x=1", reopened.FindByInput(HailuoProvider.Replicate, "acct", "url")!.Request!.FirstFrameImage);
        Assert.Equal(localPath, reopened.FindByInput(HailuoProvider.Replicate, "acct", "path")!.Request!.FirstFrameImage);
    }

    [Fact]
    public void List_filters_and_orders_newest_first()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        RunJob(ledger, HailuoProvider.CoreToday, "a", JobStatus.Succeeded, Tag(("batch", "b1"), ("row", "1")));
        RunJob(ledger, HailuoProvider.Replicate, "b", JobStatus.Failed, Tag(("batch", "b1"), ("row", "2")));
        Thread.Sleep(30);
        var since = DateTimeOffset.UtcNow;
        Thread.Sleep(30);
        RunJob(ledger, HailuoProvider.CoreToday, "c", JobStatus.Succeeded, Tag(("batch", "b2"), ("row", "3")));
        RunJob(ledger, HailuoProvider.Replicate, "d", JobStatus.Succeeded, Tag(("other", null)));
        ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "e", Request("p"), Tag(("batch", "b2")));
        // Learnt from a status read, created long ago by the provider.
        ledger.RecordStatus(new HailuoJob("old", HailuoProvider.MiniMax, HailuoModels.Standard, JobStatus.Succeeded)
            .With(createdAt: since.AddDays(-3)));

        static string[] Inputs(IReadOnlyList<LedgerEntry> entries) => entries.Select(e => e.InputHash ?? e.JobId!).ToArray();

        Assert.Equal(new[] { "e", "d", "c", "b", "a", "old" }, Inputs(ledger.List(LedgerQuery.All)));
        Assert.Equal(new[] { "d", "c", "a", "old" }, Inputs(ledger.List(new LedgerQuery { Status = JobStatus.Succeeded })));
        Assert.Equal(new[] { "d", "b" }, Inputs(ledger.List(new LedgerQuery { Provider = HailuoProvider.Replicate })));
        Assert.Equal(new[] { "e", "d", "c" }, Inputs(ledger.List(new LedgerQuery { Since = since })));
        Assert.Equal(new[] { "b", "a" }, Inputs(ledger.List(new LedgerQuery { TagKey = "batch", TagValue = "b1" })));
        Assert.Equal(new[] { "e", "c", "b", "a" }, Inputs(ledger.List(new LedgerQuery { TagKey = "BATCH" })));
        Assert.Equal(new[] { "d" }, Inputs(ledger.List(new LedgerQuery { TagKey = "other" })));
        Assert.Empty(ledger.List(new LedgerQuery { TagKey = "batch", TagValue = "B1" })); // values are exact
        Assert.Equal(new[] { "c", "b" }, Inputs(ledger.List(new LedgerQuery { TagFilter = t => t.TryGetValue("row", out var r) && int.Parse(r!) >= 2 })));
        Assert.Equal(new[] { "e", "d" }, Inputs(ledger.List(new LedgerQuery { First = 2 })));
        Assert.Equal(new[] { "e" }, Inputs(ledger.List(new LedgerQuery { State = LedgerState.Submitting })));
        Assert.Equal(new[] { "c" }, Inputs(ledger.List(new LedgerQuery { Status = JobStatus.Succeeded, Provider = HailuoProvider.CoreToday, Since = since })));
        Assert.Empty(ledger.List(new LedgerQuery { First = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.List(new LedgerQuery { First = -1 }));
    }

    [Fact]
    public void Lookups_go_through_indexes_that_hold_one_slot_per_job_on_a_large_ledger()
    {
        const int jobs = 20_000;
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        using (var file = new FileStream(_folder.Ledger, FileMode.Create))
        {
            for (var i = 0; i < jobs; i++)
            {
                var provider = (HailuoProvider)(i % 4);
                var key = "k" + i;
                file.Write(new LedgerRecord { Type = LedgerRecord.Intent, Key = key, At = at.AddSeconds(i), Provider = provider, Account = "acct" + (i % 3), InputHash = "in" + i, Model = HailuoModels.Standard }.ToLine());
                file.Write(new LedgerRecord { Type = LedgerRecord.Submitted, Key = key, At = at.AddSeconds(i), Provider = provider, JobId = "id" + i, Model = HailuoModels.Standard, JobStatus = JobStatus.Queued }.ToLine());
                if (i % 2 == 0)
                {
                    file.Write(new LedgerRecord { Type = LedgerRecord.Status, At = at.AddSeconds(i + 1), Provider = provider, JobId = "id" + i, JobStatus = JobStatus.Succeeded }.ToLine());
                }
            }
        }

        using var ledger = new JobLedger(_folder.Ledger);
        var counts = ledger.Counts;
        Assert.Equal(jobs, counts.Jobs);
        Assert.Equal(jobs, counts.ByInput);
        Assert.Equal(jobs, counts.ById);
        Assert.Equal(jobs * 5 / 2, counts.Lines);
        foreach (var i in new[] { 0, 1, 9_999, 12_345, jobs - 1 })
        {
            var provider = (HailuoProvider)(i % 4);
            var entry = ledger.FindByInput(provider, "acct" + (i % 3), "in" + i)!;
            Assert.Equal("id" + i, entry.JobId);
            Assert.Equal(i % 2 == 0 ? JobStatus.Succeeded : JobStatus.Queued, entry.Status);
            Assert.Same(entry, ledger.FindById(provider, "id" + i));
            Assert.Null(ledger.FindByInput(provider, "acct" + ((i + 1) % 3), "in" + i));
        }
        var page = ledger.List(new LedgerQuery { Status = JobStatus.Succeeded, Provider = HailuoProvider.Replicate, First = 3 });
        Assert.Equal(new[] { "id19998", "id19994", "id19990" }, page.Select(e => e.JobId));
    }

    [Fact]
    public void Arguments_that_would_corrupt_the_ledger_are_refused()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        using var other = new JobLedger(_folder.File("other.jsonl"));
        var foreign = other.RecordIntent(HailuoProvider.CoreToday, "acct", "h", Request("p"), NoTag);
        var job = new HailuoJob("x", HailuoProvider.CoreToday, HailuoModels.Standard, JobStatus.Queued);

        Assert.Throws<ArgumentException>(() => ledger.RecordSubmitted(foreign, job));
        Assert.Throws<ArgumentException>(() => ledger.RecordOutcomeUnknown(foreign, new HailuoError(HailuoErrorKind.OutcomeUnknown, "?")));
        var intent = ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "h", Request("p"), NoTag);
        Assert.Throws<ArgumentException>(() => ledger.RecordSubmitted(intent, new HailuoJob("x", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued)));
        Assert.Throws<ArgumentException>(() => ledger.RecordIntent(HailuoProvider.CoreToday, "", "h", Request("p"), NoTag));
        Assert.Throws<ArgumentException>(() => ledger.RecordIntent(HailuoProvider.CoreToday, "acct", "", Request("p"), NoTag));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.RecordDownloaded(HailuoProvider.CoreToday, "x", "v.mp4", -1));
        Assert.Null(ledger.FindById(HailuoProvider.CoreToday, "x"));

        ledger.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ledger.FindById(HailuoProvider.CoreToday, "x"));
    }

    [Fact]
    public void The_ledger_creates_its_folder()
    {
        var path = Path.Combine(_folder.Path, "a", "b", "ledger.jsonl");
        using var ledger = new JobLedger(path);
        Assert.Equal(path, ledger.Path);
        RunJob(ledger, HailuoProvider.CoreToday, "x");
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Prompts_in_any_script_round_trip()
    {
        var prompt = "一只猫在滑板上 \"quoted\" \n second line \u2028 ✓";
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            ledger.RecordIntent(HailuoProvider.MiniMax, "acct", "zh", Request(prompt), Tag(("列", "值")));
        }
        Assert.Single(File.ReadAllLines(_folder.Ledger, Encoding.UTF8));
        using var reopened = new JobLedger(_folder.Ledger);
        var entry = reopened.FindByInput(HailuoProvider.MiniMax, "acct", "zh")!;
        Assert.Equal(prompt, entry.Request!.Prompt);
        Assert.Equal("值", entry.Tag["列"]);
    }
}

[CollectionDefinition(nameof(EnvironmentVariables), DisableParallelization = true)]
public sealed class EnvironmentVariables
{
}

[Collection(nameof(EnvironmentVariables))]
public sealed class JobLedgerDefaultPathTests
{
    [Fact]
    public void The_default_path_follows_HAILUO_DATA_HOME_then_the_platform_convention()
    {
        var saved = (Environment.GetEnvironmentVariable("HAILUO_DATA_HOME"), Environment.GetEnvironmentVariable("XDG_DATA_HOME"));
        try
        {
            var custom = Path.Combine(Path.GetTempPath(), "hailuo-home");
            Environment.SetEnvironmentVariable("HAILUO_DATA_HOME", custom);
            Assert.Equal(Path.Combine(custom, "ledger.jsonl"), JobLedger.DefaultPath());

            Environment.SetEnvironmentVariable("HAILUO_DATA_HOME", null);
            if (OperatingSystem.IsWindows())
            {
                Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Hailuo", "ledger.jsonl"), JobLedger.DefaultPath());
                return;
            }
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", "/xdg/data");
            Assert.Equal("/xdg/data/hailuo/ledger.jsonl", JobLedger.DefaultPath());
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", null);
            var home = Environment.GetEnvironmentVariable("HOME")!;
            Assert.Equal(Path.Combine(home, ".local", "share", "hailuo", "ledger.jsonl"), JobLedger.DefaultPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable("HAILUO_DATA_HOME", saved.Item1);
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", saved.Item2);
        }
    }
}

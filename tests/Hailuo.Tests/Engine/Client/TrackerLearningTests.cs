using Hailuo.Emulator;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Tracking;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// Against the emulator, with the real clock: the first read comes in time for jobs far shorter than the published
/// range, and a new session starts from what the ledger's finished jobs took, not from the published range.
/// </summary>
public sealed class TrackerLearningTests
{
    // Slow enough that half an emulated second of margin is 100 ms of real time, which a loaded machine's scheduling keeps.
    private const double Scale = 0.2;

    /// <summary>Eight-second jobs: a quarter of the published range's shortest.</summary>
    private static Task<EngineHarness> StartAsync() => EngineHarness.StartAsync(Scale, o =>
    {
        o.GenerationSeconds["768p-6s"] = 8;
        o.GenerationJitter = 0.1;
    });

    /// <summary>Submits <paramref name="count"/> jobs and returns how late each was noticed, in emulated seconds.</summary>
    private static async Task<List<double>> NoticedLateAsync(EngineHarness h, HailuoClient client, string run, int count)
    {
        var waits = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var job = await client.SubmitAsync(EngineHarness.Request($"{run} {i}"));
            // When the tracker's wait for it ends, as a caller that waits (Wait-HailuoJob) learns it.
            return client.Tracker.Track(job).ContinueWith(final => (Job: final.Result, Noticed: DateTimeOffset.UtcNow), TaskContinuationOptions.ExecuteSynchronously);
        }));
        var done = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(done, d => Assert.Equal(JobStatus.Succeeded, d.Job.Status));
        var board = h.Emulator.Server.State.Boards[ProviderNames.Replicate];
        return done.Select(d => (d.Noticed - board.Find(d.Job.Id)!.CompletedAt!.Value).TotalSeconds / Scale).ToList();
    }

    [Fact]
    public async Task Jobs_far_shorter_than_the_published_range_are_noticed_within_seconds_in_a_first_batch()
    {
        // The first look comes 6 s after the create whatever jobs are expected to take; the finishes it finds teach
        // the tracker the rest. (It used to come after half the expected time: a minute.)
        await using var h = await StartAsync();
        var late = await NoticedLateAsync(h, h.Client(HailuoProvider.Replicate), "first", 8);
        Assert.True(late.Max() <= 6, $"noticed up to {late.Max():0.0} s late (emulated)");
    }

    [Fact]
    public async Task A_new_session_starts_from_what_the_ledgers_finished_jobs_took()
    {
        await using var h = await StartAsync();
        using (var first = new HailuoClient(h.Options(HailuoProvider.Replicate)))
        {
            await NoticedLateAsync(h, first, "yesterday", 6);
        }
        // The last client gone, its session closed: a new client is a new session, as a new PowerShell would be.
        using var second = new HailuoClient(h.Options(HailuoProvider.Replicate));
        var estimate = second.Tracker.Durations.Estimate(new JobKind(HailuoProvider.Replicate, HailuoModels.Standard, "768p", 6, fromStart: true));
        Assert.True(estimate.Trusted, "six finished jobs in the ledger are enough to go by");
        Assert.InRange(estimate.Low.TotalSeconds / Scale, 4, 8);
        Assert.InRange(estimate.High.TotalSeconds / Scale, 8, 14);

        var late = await NoticedLateAsync(h, second, "today", 6);
        Assert.True(late.Max() <= 5, $"noticed up to {late.Max():0.0} s late (emulated)");
    }

    [Fact]
    public void The_ledger_teaches_each_kind_its_own_times_and_only_this_accounts()
    {
        var folder = Directory.CreateTempSubdirectory("hailuo-history-");
        try
        {
            using var ledger = new JobLedger(Path.Combine(folder.FullName, "ledger.jsonl"));
            var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
            void Finished(string account, string id, VideoRequest request, string model, double seconds)
            {
                var intent = ledger.RecordIntent(HailuoProvider.Replicate, account, "hash-" + id, request, new Dictionary<string, string?>());
                var job = new HailuoJob(id, HailuoProvider.Replicate, model, JobStatus.Queued).With(createdAt: start, request: request);
                ledger.RecordSubmitted(intent, job);
                ledger.RecordStatus(job.With(status: JobStatus.Succeeded, startedAt: start.AddSeconds(5), completedAt: start.AddSeconds(5 + seconds)));
            }
            for (var i = 0; i < 5; i++)
            {
                Finished("mine", $"std-{i}", new VideoRequest { Prompt = $"p{i}" }, HailuoModels.Standard, 40 + i);
                Finished("mine", $"hd-{i}", new VideoRequest { Prompt = $"p{i}", Resolution = "1080p" }, HailuoModels.Standard, 100 + i);
                Finished("mine", $"fast-{i}", new VideoRequest { Prompt = $"p{i}", FirstFrameImage = "https://example.com/a.png" }, HailuoModels.Fast, 20 + i);
                Finished("theirs", $"other-{i}", new VideoRequest { Prompt = $"q{i}" }, HailuoModels.Standard, 500);
            }

            var model = new DurationModel();
            Assert.Equal(15, LedgerHistory.Teach(model, ledger, HailuoProvider.Replicate, "mine"));
            DurationEstimate Of(string model_, string resolution) => model.Estimate(new JobKind(HailuoProvider.Replicate, model_, resolution, 6, fromStart: true));
            Assert.InRange(Of(HailuoModels.Standard, "768p").High.TotalSeconds, 44, 60);
            Assert.InRange(Of(HailuoModels.Standard, "1080p").Low.TotalSeconds, 90, 100);
            Assert.InRange(Of(HailuoModels.Fast, "768p").High.TotalSeconds, 24, 35);
            Assert.All(new[] { Of(HailuoModels.Standard, "768p"), Of(HailuoModels.Standard, "1080p"), Of(HailuoModels.Fast, "768p") }, e => Assert.True(e.Trusted));
            // A kind the ledger never saw is still the published range.
            Assert.Equal(0, model.Estimate(new JobKind(HailuoProvider.Replicate, HailuoModels.Standard, "768p", 10, fromStart: true)).Samples);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

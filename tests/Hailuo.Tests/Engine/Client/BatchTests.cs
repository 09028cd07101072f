using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>Batches: within the provider's rate limits by the client's own doing, and with few status calls per job.</summary>
public sealed class BatchTests
{
    [Theory]
    [InlineData(HailuoProvider.MiniMax, 12)]
    [InlineData(HailuoProvider.CoreToday, 80)]
    public async Task A_batch_never_trips_the_providers_rate_limit(HailuoProvider provider, int jobs)
    {
        // MiniMax allows 5 creates a minute: at scale 0.01 the minute is 0.6 s, so 12 jobs need about 1.2 s.
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(provider);

        var submitted = await Task.WhenAll(Enumerable.Range(0, jobs).Select(i => client.SubmitAsync(EngineHarness.Request($"Scene {i}"))));

        var stats = await h.StatsAsync(provider);
        Assert.Equal(jobs, Count(stats, "creates"));
        Assert.Equal(0, Count(stats, "rateLimited"));
        Assert.Equal(jobs, submitted.Select(j => j.Id).Distinct().Count());
    }

    [Fact]
    public async Task Two_clients_of_one_account_share_the_rate_budget()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var first = h.Client(HailuoProvider.MiniMax);
        var second = h.Client(HailuoProvider.MiniMax);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? first : second).SubmitAsync(EngineHarness.Request($"Shared {i}"))));

        var stats = await h.StatsAsync(HailuoProvider.MiniMax);
        Assert.Equal(12, Count(stats, "creates"));
        Assert.Equal(0, Count(stats, "rateLimited"));
    }

    [Fact]
    public async Task A_request_that_arrives_late_still_counts_in_the_providers_window()
    {
        // MiniMax's minute is 0.6 s at this scale. The first create reaches the provider 0.3 s after it left (a slow
        // connection), so it stays in the provider's window 0.3 s longer than a window counted from when it left.
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        await h.Emulator.SetFaultsAsync(new object[] { new { kind = "Slow", operation = "Create", times = 1, parameter = 300 } });
        var client = h.Client(HailuoProvider.MiniMax);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.SubmitAsync(EngineHarness.Request($"Late {i}"))));

        var stats = await h.StatsAsync(HailuoProvider.MiniMax);
        Assert.Equal(1, Count(stats, "faultsInjected"));
        Assert.Equal(12, Count(stats, "creates"));
        Assert.Equal(0, Count(stats, "rateLimited"));
    }

    [Fact]
    public async Task Each_retry_takes_a_place_in_the_rate_window()
    {
        // Three 503s on status reads at 2 reads a window: the three retries are requests too, so the four attempts
        // span at least one full window, and the provider never sees more than 2 in any window.
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.Replicate, o => o.ReadRateLimit = new RateLimit(2, TimeSpan.FromSeconds(60)));
        var job = await client.SubmitAsync(EngineHarness.Request("Counted"));
        await h.Emulator.SetFaultsAsync(new object[] { new { kind = "ServerError", operation = "Status", times = 3, parameter = 1 } });

        var started = DateTime.UtcNow;
        await client.GetJobAsync(job.Id);
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(3, Count(await h.StatsAsync(HailuoProvider.Replicate), "faultsInjected"));
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.6), $"four attempts at 2 a window (0.6 s) took {elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task The_cap_on_jobs_in_flight_holds_submits_until_jobs_finish()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.Replicate, o => o.MaxJobsInFlight = 3);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.SubmitAsync(EngineHarness.Request($"Capped {i}"))));
        await Task.WhenAll(jobs.Select(j => client.WaitAsync(j, TimeSpan.FromSeconds(30))));

        // No more than three were ever running at once: the later three started after the first ones completed.
        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        var times = stats["jobs"]!.AsObject()
            .Select(p => (Created: DateTimeOffset.Parse(p.Value!["createdAt"]!.GetValue<string>()), Completed: DateTimeOffset.Parse(p.Value!["completedAt"]!.GetValue<string>())))
            .ToList();
        foreach (var (created, _) in times)
        {
            var running = times.Count(t => t.Created <= created && t.Completed > created);
            Assert.True(running <= 3, $"{running} jobs were in flight at {created:O}");
        }
    }

    [Fact]
    public async Task The_tracker_spends_fewer_status_calls_than_a_5_s_poller_on_the_published_range()
    {
        // The emulator's default is the published 30-90 s a clip, all 30 jobs at once. A 5 s poller reads each job
        // every 5 s from its create: about 12 calls. The tracker looks once at 6 s (refusals), once more at 18 s, then
        // every 4.5 s from 30 s: about 9, even in its first batch with nothing learned yet.
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01, configure: o => o.Concurrency["coretoday"] = 30);
        var client = h.Client(HailuoProvider.CoreToday);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.SubmitAsync(EngineHarness.Request($"Tracked {i}"))));
        var done = await Task.WhenAll(jobs.Select(j => client.WaitAsync(j, TimeSpan.FromSeconds(60))));

        Assert.All(done, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        var emulated = (await h.StatsAsync(HailuoProvider.CoreToday))["jobs"]!.AsObject().Select(p => p.Value!).ToList();
        var polls = emulated.Select(j => j["polls"]!.GetValue<int>()).ToList();
        var poller = emulated.Select(j => Math.Ceiling(EmulatedSeconds(j, "createdAt", "completedAt", 0.01) / 5)).ToList();
        Assert.All(polls, p => Assert.InRange(p, 1, 16));
        Assert.True(polls.Average() <= 0.8 * poller.Average(), $"mean {polls.Average():0.0} status calls per job, against a 5 s poller's {poller.Average():0.0}");
    }

    private static double EmulatedSeconds(System.Text.Json.Nodes.JsonNode job, string from, string to, double scale) =>
        (DateTimeOffset.Parse(job[to]!.GetValue<string>()) - DateTimeOffset.Parse(job[from]!.GetValue<string>())).TotalSeconds / scale;

    [Fact]
    public async Task A_queued_job_is_read_about_once_per_shortest_generation_while_it_waits()
    {
        // Ten jobs through one slot: the last waits nine generations (several minutes) in the queue. Replicate says when a
        // job started, so a queued one need only be read before it could have finished: about once per 30 s (the
        // shortest published generation) plus the look a finish ahead of it brings; while it runs, as any other job.
        await using var h = await EngineHarness.StartAsync(timeScale: 0.005, configure: o => o.Concurrency["replicate"] = 1);
        var client = h.Client(HailuoProvider.Replicate);

        var jobs = new List<HailuoJob>();
        foreach (var i in Enumerable.Range(0, 10))
        {
            jobs.Add(await client.SubmitAsync(EngineHarness.Request($"Queued {i}")));
        }
        await Task.WhenAll(jobs.Select(j => client.WaitAsync(j, TimeSpan.FromSeconds(60))));

        var stats = (await h.StatsAsync(HailuoProvider.Replicate))["jobs"]!.AsObject();
        foreach (var (id, job) in stats)
        {
            var created = DateTimeOffset.Parse(job!["createdAt"]!.GetValue<string>());
            var started = DateTimeOffset.Parse(job["startedAt"]!.GetValue<string>());
            var queued = (started - created).TotalSeconds / 0.005;
            var running = EmulatedSeconds(job, "startedAt", "completedAt", 0.005);
            var polls = job["polls"]!.GetValue<int>();
            Assert.True(polls <= 3 + Math.Ceiling(running / 4.5) + Math.Ceiling(queued / 30),
                $"{id}: {polls} polls after {queued:0} s queued and {running:0} s running");
        }
    }

    [Fact]
    public async Task A_final_job_is_never_polled_again()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.CoreToday);
        var done = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("Once done")), TimeSpan.FromSeconds(30));
        var polls = Count(await h.StatsAsync(HailuoProvider.CoreToday), "statusPolls");

        await Task.Delay(500);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(polls, Count(await h.StatsAsync(HailuoProvider.CoreToday), "statusPolls"));
        Assert.Equal(0, client.Tracker.ActiveCount);
    }

    [Fact]
    public async Task Waiting_with_a_timeout_returns_the_job_as_it_is()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        var client = h.Client(HailuoProvider.CoreToday);
        var job = await client.SubmitAsync(EngineHarness.Request("Takes two minutes"));

        var early = await client.WaitAsync(job, TimeSpan.FromMilliseconds(200));

        Assert.False(early.IsFinal);
        Assert.Equal(job.Id, early.Id);
    }
}

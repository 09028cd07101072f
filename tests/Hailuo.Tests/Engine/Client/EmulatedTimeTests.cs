using Hailuo.Credentials;
using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Reliability;
using Hailuo.Tests.Pipeline;
using Hailuo.Tests.Emulator;
using Hailuo.Tests.Engine.Downloads;
using Hailuo.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>The engine's clock: real time, with the emulator's pace for the provider's own durations, learned from its answers.</summary>
public sealed class EmulatedTimeTests
{
    // A kind no test here submits: its estimate stays the published range (20-50 s for Fast), at the clock's pace.
    private static readonly JobKind Unseen = JobKind.For(HailuoProvider.CoreToday, HailuoModels.Fast, new VideoRequest { Resolution = "1080P" }, fromStart: true);

    [Fact]
    public void A_provider_duration_passes_at_the_pace_and_the_clock_reads_real_time()
    {
        var clock = new EmulatedTime(0.01);

        Assert.Equal(TimeSpan.FromMilliseconds(600), EmulatedTime.ProviderTime(clock, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), EmulatedTime.ProviderTime(TimeProvider.System, TimeSpan.FromMinutes(1)));
        // Job stamps and ledger times are the wall clock's, under the emulator too.
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmulatedTime(0));
    }

    [Fact]
    public async Task A_tracker_that_has_not_heard_from_its_provider_reads_one_job_at_once_and_plans_again_at_the_pace_it_names()
    {
        // A new process resuming jobs from the ledger: nothing has been asked of the emulator yet, so its pace is not known.
        var fake = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clock = new EmulatedTime(1.0, fake);
        var reads = new List<string>();
        using var tracker = new JobTracker((job, _) =>
        {
            reads.Add(job.Id);
            return Task.FromResult(job);
        }, new TrackerOptions(), clock, null, runLoop: false);
        var now = fake.GetUtcNow();
        HailuoJob Job(string id) => new HailuoJob(id, HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued).With(createdAt: now);

        _ = tracker.Track(Job("first"));
        _ = tracker.Track(Job("second"));
        Assert.Equal(now, tracker.NextDue);
        await tracker.PollDueAsync();
        Assert.Equal(["first"], reads);
        // At full time a new job is first looked at 6 s after its create.
        Assert.True(tracker.NextDue >= now + TimeSpan.FromSeconds(6), $"next read at {tracker.NextDue - now}");

        using var answer = new HttpResponseMessage();
        answer.Headers.Add(EmulatedTime.PaceHeader, "0.01");
        clock.Learn(answer.Headers);

        Assert.Equal(now + TimeSpan.FromMilliseconds(60), tracker.NextDue);
    }

    [Fact]
    public async Task Every_answer_of_the_emulator_names_its_pace_as_it_is_now()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 0.02);

        using (var answer = await emu.Http.SendAsync(Request(HttpMethod.Get, "coretoday/v1/predictions/none", ProviderNames.CoreToday)))
        {
            Assert.Equal("0.02", Assert.Single(answer.Headers.GetValues(EmulatorServer.TimeScaleHeader)));
        }
        await AdminAsync(emu, HttpMethod.Post, "config", new { timeScale = 0.5 });
        using (var answer = await emu.Http.GetAsync("_emulator/health"))
        {
            Assert.Equal("0.5", Assert.Single(answer.Headers.GetValues(EmulatorServer.TimeScaleHeader)));
        }
    }

    [Fact]
    public async Task A_sessions_client_learns_the_emulators_pace_from_its_first_answer()
    {
        await using var h = await CommandHarness.StartAsync(timeScale: 0.02);
        var client = h.Connection.GetClient();
        Assert.Equal(TimeSpan.FromSeconds(20), client.Tracker.Durations.Estimate(Unseen).Low);

        await Assert.ThrowsAsync<HailuoException>(() => client.GetJobAsync("no-such-job"));

        Assert.Equal(TimeSpan.FromSeconds(20 * 0.02), client.Tracker.Durations.Estimate(Unseen).Low);
    }

    [Fact]
    public async Task A_loopback_server_that_is_not_the_emulator_is_asked_nothing_more_and_runs_at_full_time()
    {
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/coretoday/v1/predictions/{id}",
            (string id) => Results.Json(new { detail = $"no job {id}" }, statusCode: 404)));
        using var folder = new TempFolder();
        using var session = EmulatorConnection.Connect(new Uri(server.BaseUrl), HailuoProvider.CoreToday, new HailuoCredential("sk-loopback", "test"),
            folder.File("ledger.jsonl"));

        var client = session.GetClient();
        Assert.Empty(server.Requests);
        await Assert.ThrowsAsync<HailuoException>(() => client.GetJobAsync("job-1"));

        Assert.Equal("/coretoday/v1/predictions/job-1", Assert.Single(server.Requests).Path);
        Assert.Equal(TimeSpan.FromSeconds(20), client.Tracker.Durations.Estimate(Unseen).Low);
    }
}

using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Media;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// A create answer that is already final is the job's outcome on every provider; Cloudflare's documented run is
/// the default, one held request per job, and its Batch API is used only when asked for, in its own shape.
/// </summary>
public sealed class CreateAnswerTests
{
    /// <summary>Jobs whose emulated lives overlapped at their busiest moment.</summary>
    private static int MostAtOnce(IEnumerable<EmulatedJob> jobs)
    {
        var list = jobs.ToList();
        return list.Max(j => list.Count(o => o.CreatedAt <= j.CreatedAt && o.CompletedAt > j.CreatedAt));
    }

    [Fact]
    public async Task Cloudflare_sends_the_documented_run_one_held_request_per_job_within_the_jobs_in_flight_and_polls_nothing()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.Cloudflare, o => o.MaxJobsInFlight = 2);
        Assert.True(client.CreateWaitsForVideo);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.SubmitAsync(EngineHarness.Request($"Fireworks {i}"))));

        // Each submit returns the finished job, its video link with it.
        Assert.All(jobs, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        Assert.All(jobs, j => Assert.NotNull(j.VideoUri));
        var path = Path.Combine(h.Folder, "cloudflare.mp4");
        await client.DownloadAsync(jobs[0], path);
        Assert.Equal(1366, Mp4Inspector.Inspect(path).Width);

        var stats = await h.StatsAsync(HailuoProvider.Cloudflare);
        Assert.Equal((4, 0), (Count(stats, "creates"), Count(stats, "statusPolls")));
        Assert.Equal(2, MostAtOnce(h.Emulator.Server.State.Boards[ProviderNames.Cloudflare].Snapshot()));
        var entry = client.Ledger!.FindById(HailuoProvider.Cloudflare, jobs[1].Id)!;
        Assert.Equal(JobStatus.Succeeded, entry.Status);
        Assert.NotNull(entry.CompletedAt);
        // Nothing was left to watch, and no slot is held.
        Assert.Equal(0, client.Tracker.ActiveCount);
        Assert.Equal(0, client.SubmitsWaitingForRoom);
    }

    [Fact]
    public async Task Cloudflares_batch_api_is_used_only_when_asked_for_in_its_own_shape_and_polled_by_request_id()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.Cloudflare, o => o.CloudflareBatch = true);
        Assert.False(client.CreateWaitsForVideo);

        var job = await client.SubmitAsync(EngineHarness.Request("A chef preparing sushi", "1080p"));
        Assert.Equal(JobStatus.Queued, job.Status);
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Succeeded, done.Status);
        var path = Path.Combine(h.Folder, "batch.mp4");
        await client.DownloadAsync(done, path);
        Assert.Equal(1920, Mp4Inspector.Inspect(path).Width);

        var stats = await h.StatsAsync(HailuoProvider.Cloudflare);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.True(Count(stats, "statusPolls") >= 1);
        Assert.Equal(0, Count(stats, "invalidRequests"));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday, 200, """{"job_id":"{id}","status":"completed","result":"{video}","error":null}""")]
    [InlineData(HailuoProvider.Replicate, 201, """{"id":"{id}","model":"minimax/hailuo-2.3","status":"succeeded","output":"{video}"}""")]
    public async Task A_create_answer_that_is_already_final_is_used_as_final(HailuoProvider provider, int status, string body)
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        h.Emulator.Server.State.Hostile.Add(new HostileAnswer { Operation = Operation.Create, Status = status, Body = body, ContentType = "application/json" });
        var client = h.Client(provider, o => o.MaxJobsInFlight = 1);

        var job = await client.SubmitAsync(EngineHarness.Request("Finished at once"));

        Assert.Equal(JobStatus.Succeeded, job.Status);
        await client.DownloadAsync(job, Path.Combine(h.Folder, "at-once.mp4"));
        Assert.Equal(JobStatus.Succeeded, client.Ledger!.FindById(provider, job.Id)!.Status);
        // Nothing is polled, and its slot is free for the next submit.
        var next = await client.SubmitAsync(EngineHarness.Request("The next one")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Count(await h.StatsAsync(provider), "statusPolls"));
        Assert.NotEqual(job.Id, next.Id);
    }

    [Fact]
    public async Task A_create_answer_that_is_already_a_refusal_is_the_jobs_failure()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        h.Emulator.Server.State.Hostile.Add(new HostileAnswer
        {
            Operation = Operation.Create,
            Status = 201,
            ContentType = "application/json",
            Body = """{"id":"{id}","status":"failed","error":"The input or output was flagged as sensitive. Please try again with different inputs. (E005)"}""",
        });
        var client = h.Client(HailuoProvider.Replicate);

        var job = await client.SubmitAsync(EngineHarness.Request("Refused at once"));

        Assert.Equal((JobStatus.Failed, HailuoErrorKind.ContentFiltered), (job.Status, job.Error!.Kind));
        Assert.Equal(JobStatus.Failed, (await client.WaitAsync(job, TimeSpan.FromSeconds(5))).Status);
        Assert.Equal(0, Count(await h.StatsAsync(HailuoProvider.Replicate), "statusPolls"));
    }
}

using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>A re-run of the same batch after a crash resumes instead of paying again.</summary>
public sealed class LedgerResumeTests
{
    private static VideoRequest[] Batch() => Enumerable.Range(0, 5).Select(i => EngineHarness.Request($"Batch scene {i}")).ToArray();

    [Fact]
    public async Task A_rerun_after_the_process_died_reuses_every_job_and_pays_nothing()
    {
        await using var h = await EngineHarness.StartAsync();
        var first = h.Client(HailuoProvider.CoreToday);
        var submitted = await Task.WhenAll(Batch().Select(r => first.SubmitAsync(r)));
        first.Dispose(); // the process dies before waiting

        var second = h.Client(HailuoProvider.CoreToday);
        var rerun = await Task.WhenAll(Batch().Select(r => second.SubmitAsync(r)));

        Assert.All(rerun, j => Assert.True(j.Reused));
        Assert.Equal(submitted.Select(j => j.Id).Order(), rerun.Select(j => j.Id).Order());
        var done = await Task.WhenAll(rerun.Select(j => second.WaitAsync(j, TimeSpan.FromSeconds(30))));
        Assert.All(done, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        var stats = await h.StatsAsync(HailuoProvider.CoreToday);
        Assert.Equal(5, Count(stats, "creates"));
        Assert.Equal(5, Count(stats, "createRequests"));
    }

    [Fact]
    public async Task A_finished_job_that_was_not_downloaded_is_only_downloaded()
    {
        await using var h = await EngineHarness.StartAsync();
        var first = h.Client(HailuoProvider.Replicate);
        var job = await first.SubmitAsync(EngineHarness.Request("Finished, never saved"));
        await first.WaitAsync(job, TimeSpan.FromSeconds(30));
        first.Dispose();

        var second = h.Client(HailuoProvider.Replicate);
        var again = await second.SubmitAsync(EngineHarness.Request("Finished, never saved"));

        Assert.True(again.Reused);
        Assert.Equal(JobStatus.Succeeded, again.Status);
        Assert.False(second.Ledger!.FindById(HailuoProvider.Replicate, again.Id)!.IsDownloaded);
        await second.DownloadAsync(again, Path.Combine(h.Folder, "saved.mp4"));
        Assert.True(second.Ledger!.FindById(HailuoProvider.Replicate, again.Id)!.IsDownloaded);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.Replicate), "createRequests"));
    }

    [Fact]
    public async Task An_intent_without_an_id_after_a_crash_is_reported_never_resubmitted()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Crashed mid-submit");
        var client = h.Client(HailuoProvider.CoreToday);
        h.WriteIntent(client, request);

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        Assert.Equal(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Contains("cannot be looked up", error.Error.Message);
        Assert.Equal(HailuoRemedy.CheckDashboardOrForce, error.Error.Remedy);
        Assert.Equal(0, Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
        var forced = await client.SubmitAsync(request, new SubmitOptions { Force = true });
        Assert.False(forced.Reused);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_found_at_Replicate_on_the_rerun_and_not_paid_again()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("create:drop=1");
        var client = h.Client(HailuoProvider.Replicate);
        var request = EngineHarness.Request("Answered into the void");
        var lost = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, lost.Error.Kind);
        await h.Emulator.SetFaultsAsync("");

        var found = await client.SubmitAsync(request);

        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        Assert.Equal(Assert.Single(Jobs(stats)).Key, found.Id);
        Assert.True(found.Reused);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "lists"));
        var entry = client.Ledger!.FindByInput(HailuoProvider.Replicate, client.Account, found.InputHash!)!;
        Assert.Equal((LedgerState.Submitted, found.Id), (entry.State, entry.JobId));
        Assert.Equal(JobStatus.Succeeded, (await client.WaitAsync(found, TimeSpan.FromSeconds(30))).Status);
        Assert.Contains(h.LogLines, l => l.StartsWith("Warning:", StringComparison.Ordinal) && l.Contains(found.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_intent_that_never_reached_Replicate_is_sent_once_no_create_can_still_arrive()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Died before sending");
        var client = h.Client(HailuoProvider.Replicate, o => o.CreateSettleTime = TimeSpan.Zero);
        var intent = h.WriteIntent(client, request);

        var job = await client.SubmitAsync(request);

        Assert.False(job.Reused);
        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "lists"));
        var old = client.Ledger!.List(LedgerQuery.All).Single(e => e.Key == intent.Key);
        Assert.Equal(LedgerState.Rejected, old.State);
        Assert.Contains("never reached", old.Error!.Message);
        Assert.Equal(job.Id, client.Ledger.FindByInput(HailuoProvider.Replicate, client.Account, intent.InputHash!)!.JobId);
    }

    [Fact]
    public async Task Two_submissions_that_find_the_same_create_never_arrived_send_it_once()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Twice in one CSV, after a crash");
        var client = h.Client(HailuoProvider.Replicate, o => o.CreateSettleTime = TimeSpan.Zero);
        h.WriteIntent(client, request);

        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            try
            {
                return (Job: await client.SubmitAsync(request), Error: (HailuoError?)null);
            }
            catch (HailuoException e)
            {
                return (Job: (HailuoJob?)null, Error: e.Error);
            }
        }));

        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.Replicate), "creates"));
        Assert.Single(both, r => r.Job is not null);
        var refused = Assert.Single(both, r => r.Job is null).Error!;
        Assert.Equal(HailuoErrorKind.OutcomeUnknown, refused.Kind);
    }

    [Fact]
    public async Task An_intent_whose_sender_is_done_settles_on_this_run_and_is_sent_once_when_the_provider_never_got_it()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Lost with its sender");
        // The process that wrote it is this one, and it is not sending it: its sender is done with it.
        var client = h.Client(HailuoProvider.Replicate, o => o.StoppedSenderSettleTime = TimeSpan.FromMilliseconds(300));
        h.WriteIntent(client, request);

        var job = await client.SubmitAsync(request);

        Assert.False(job.Reused);
        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.True(Count(stats, "lists") >= 1);
    }

    [Fact]
    public async Task An_intent_of_an_unnamed_sender_too_recent_to_settle_is_reported_and_not_sent()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Maybe still on its way");
        var client = h.Client(HailuoProvider.Replicate);
        // A line written before ledgers named the sending process: nobody can say it has stopped sending.
        var intent = h.WriteIntent(client, request);
        File.WriteAllLines(h.LedgerPath, File.ReadAllLines(h.LedgerPath).Select(l => l.Contains("\"owner\"", StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(l, ",\"owner\":\"[^\"]*\"", "") : l));

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        Assert.Equal(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Contains("could still arrive until", error.Error.Message);
        Assert.Equal(HailuoRemedy.CheckDashboardOrForce, error.Error.Remedy);
        var stats = await h.StatsAsync(HailuoProvider.Replicate);
        Assert.Equal(0, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "lists"));
        Assert.Null(client.Ledger!.FindByInput(HailuoProvider.Replicate, client.Account, intent.InputHash!)!.Owner);
    }

    [Fact]
    public async Task A_job_the_ledger_already_has_is_not_taken_for_a_lost_create_of_the_same_input()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("A second take, forced");
        var client = h.Client(HailuoProvider.Replicate, o => o.CreateSettleTime = TimeSpan.Zero);
        var first = await client.SubmitAsync(request);
        // -Force asked for a second video of it; the process died before that create went out.
        h.WriteIntent(client, request);

        var second = await client.SubmitAsync(request);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(2, Count(await h.StatsAsync(HailuoProvider.Replicate), "creates"));
    }

    [Fact]
    public async Task The_same_input_twice_while_waiting_for_room_is_created_once_and_shared()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.Replicate, o => o.MaxJobsInFlight = 1);
        await client.SubmitAsync(EngineHarness.Request("Holds the only slot"));
        var request = EngineHarness.Request("A row twice in one CSV");

        // Both wait for room under the cap on jobs in flight, having found nothing in the ledger.
        var twice = await Task.WhenAll(client.SubmitAsync(request), client.SubmitAsync(request));

        Assert.Equal(2, Count(await h.StatsAsync(HailuoProvider.Replicate), "creates"));
        Assert.Equal(twice[0].Id, twice[1].Id);
        Assert.Single(twice, j => j.Reused);
    }

    [Fact]
    public async Task A_refused_create_does_not_block_the_next_attempt()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("credits=1");
        var client = h.Client(HailuoProvider.CoreToday);
        var request = EngineHarness.Request("After topping up");
        await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        await h.Emulator.SetFaultsAsync("");
        var job = await client.SubmitAsync(request);

        Assert.False(job.Reused);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }

    [Fact]
    public async Task Force_pays_again_for_the_same_input()
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(HailuoProvider.CoreToday);
        var request = EngineHarness.Request("Twice on purpose");
        var first = await client.SubmitAsync(request);
        var reused = await client.SubmitAsync(request);
        var forced = await client.SubmitAsync(request, new SubmitOptions { Force = true });

        Assert.Equal(first.Id, reused.Id);
        Assert.True(reused.Reused);
        Assert.NotEqual(first.Id, forced.Id);
        Assert.Equal(2, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }
}

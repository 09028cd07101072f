using Hailuo.Ledger;
using Hailuo.Models;
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
        // The process wrote its intent, then died before the answer came back.
        using (var ledger = new JobLedger(h.LedgerPath))
        {
            var probe = h.Client(HailuoProvider.CoreToday);
            ledger.RecordIntent(HailuoProvider.CoreToday, probe.Account, InputHash.Compute(HailuoProvider.CoreToday, request), request, new Dictionary<string, string?>());
        }

        var client = h.Client(HailuoProvider.CoreToday);
        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        Assert.Equal(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Equal(0, Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
        var forced = await client.SubmitAsync(request, new SubmitOptions { Force = true });
        Assert.False(forced.Reused);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
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

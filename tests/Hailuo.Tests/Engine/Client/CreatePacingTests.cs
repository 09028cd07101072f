using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// How creates are paced so that a kill strands as few as possible and no other process judges a create that is still
/// being sent (issue 12, items 2 and 5).
/// </summary>
public sealed class CreatePacingTests
{
    [Fact]
    public async Task Where_a_lost_create_cannot_be_looked_up_creates_go_one_at_a_time_so_a_kill_strands_at_most_one()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Emulator.SetFaultsAsync("create:slow=1:250");
        var client = h.Client(HailuoProvider.CoreToday);
        using var watch = new JobLedger(h.LedgerPath);

        var submits = Task.WhenAll(Enumerable.Range(1, 4).Select(i => client.SubmitAsync(EngineHarness.Request($"One at a time {i}"))));
        var mostUnanswered = 0;
        while (!submits.IsCompleted)
        {
            // An intent whose answer is not recorded yet: what a kill now would strand.
            mostUnanswered = Math.Max(mostUnanswered, watch.List(LedgerQuery.All).Count(e => e.State == LedgerState.Submitting));
            await Task.Delay(20);
        }
        var jobs = await submits;

        Assert.Equal(4, jobs.Select(j => j.Id).Distinct().Count());
        Assert.Equal(1, mostUnanswered);
    }

    [Fact]
    public async Task The_intent_is_written_only_once_the_rate_limit_lets_the_create_go()
    {
        // An emulator at its real pace, which the client learns: the 6 s window is 6 s.
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        // A key of its own: rate limits are shared by every client of one account in the process.
        var options = h.Options(HailuoProvider.Replicate, key: "sk-pacing-" + Guid.NewGuid().ToString("N"));
        options.CreateRateLimit = new RateLimit(1, TimeSpan.FromSeconds(6));
        using var client = new HailuoClient(options);
        var second = EngineHarness.Request("Waits for the rate limit");
        await client.SubmitAsync(EngineHarness.Request("Takes the only permit"));

        var waiting = client.SubmitAsync(second);
        await Task.Delay(700);
        using (var ledger = new JobLedger(h.LedgerPath))
        {
            // A kill now strands nothing: no intent was written for a create that has not left.
            Assert.Null(ledger.FindByInput(HailuoProvider.Replicate, client.Account, InputHash.Compute(HailuoProvider.Replicate, second)));
        }
        var job = await waiting;

        Assert.Equal(LedgerState.Submitted, client.Ledger!.FindById(HailuoProvider.Replicate, job.Id)!.State);
        Assert.Equal(2, Count(await h.StatsAsync(HailuoProvider.Replicate), "createRequests"));
    }

    [Fact]
    public async Task A_declined_create_is_retried_for_at_most_two_thirds_of_the_settle_time()
    {
        // At the emulator's real pace the retry delays below are real ones.
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        await h.Emulator.SetFaultsAsync("create:5xx=1");
        var client = h.Client(HailuoProvider.CoreToday, o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(0.3);
            o.RetryMaxDelay = TimeSpan.FromSeconds(0.6);
            // Retries wait 0.15 to 0.3 s, then 0.3 to 0.6 s each: by the fifth answer 1.05 s at least have passed, past the budget
            // of two thirds of 1.5 s, so no sixth request goes; without the budget, MaxRetries (6) would send seven.
            o.CreateSettleTime = TimeSpan.FromSeconds(1.5);
        });

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(EngineHarness.Request("Declined again and again")));

        // Every answer was a 503: the provider declined, so the create is known not to have been made.
        Assert.NotEqual(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        var requests = Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests");
        Assert.InRange(requests, 1, 5);
        Assert.Equal(0, Count(await h.StatsAsync(HailuoProvider.CoreToday), "creates"));
    }
}

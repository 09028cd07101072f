using Hailuo.Emulator;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Transport;

namespace Hailuo.Tests.Engine.Client;

/// <summary>The cap on jobs in flight: one count per account, a limit per submit, and defaults from each provider's documented limits.</summary>
public sealed class JobsInFlightTests
{
    [Fact]
    public async Task Each_submit_waits_under_its_own_limit_and_every_limit_counts_the_same_jobs()
    {
        var slots = new JobSlots();
        var first = await slots.AcquireAsync(2, CancellationToken.None);
        var second = await slots.AcquireAsync(2, CancellationToken.None);
        var underTwo = slots.AcquireAsync(2, CancellationToken.None);
        Assert.False(underTwo.IsCompleted);
        // A submit with a higher limit goes past: it counts the same two jobs, and is under its own limit.
        var third = await slots.AcquireAsync(5, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((3, 1), (slots.InFlight, slots.Waiting));

        first.Dispose();
        Assert.False(underTwo.IsCompleted); // two still in flight: not under 2
        first.Dispose(); // a lease frees its slot once
        second.Dispose();
        (await underTwo.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        third.Dispose();
        Assert.Equal((0, 0), (slots.InFlight, slots.Waiting));
    }

    [Fact]
    public async Task A_stopped_wait_for_a_slot_leaves_the_queue()
    {
        var slots = new JobSlots();
        using var held = await slots.AcquireAsync(1, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var waiting = slots.AcquireAsync(1, stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public void The_defaults_follow_each_providers_documented_limit_on_starting_jobs_and_the_help_states_them()
    {
        // Creates a minute (Cloudflare: its one limit on every request) times the published range's slowest 90 s.
        var expected = new Dictionary<HailuoProvider, int>
        {
            [HailuoProvider.CoreToday] = 90,
            [HailuoProvider.MiniMax] = 8,
            [HailuoProvider.Replicate] = 900,
            [HailuoProvider.Cloudflare] = 450,
        };
        foreach (var (provider, cap) in expected)
        {
            Assert.Equal(cap, ProviderProfiles.For(provider).DefaultMaxJobsInFlight);
            Assert.Equal(cap, new HailuoClientOptions(provider).MaxJobsInFlight);
        }
        const string stated = "core.today 90, MiniMax 8, Replicate 900, Cloudflare 450";
        foreach (var page in new[] { "New-HailuoVideo.md", "Connect-Hailuo.md" })
        {
            Assert.Contains(stated, File.ReadAllText(RepoPaths.Combine("docs", "help", page)).Replace("\n", " ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_submit_that_brings_its_own_limit_holds_the_account_to_it()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01, o => o.Concurrency[ProviderNames.Replicate] = 50);
        var client = h.Client(HailuoProvider.Replicate);
        Assert.Equal(900, client.JobsInFlightLimit);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.SubmitAsync(EngineHarness.Request($"Two at a time {i}"), new SubmitOptions { MaxJobsInFlight = 2 })));
        await Task.WhenAll(jobs.Select(j => client.WaitAsync(j, TimeSpan.FromSeconds(30))));

        var emulated = h.Emulator.Server.State.Boards[ProviderNames.Replicate].Snapshot();
        var most = emulated.Max(j => emulated.Count(o => o.CreatedAt <= j.CreatedAt && o.CompletedAt > j.CreatedAt));
        Assert.Equal(2, most);
    }
}

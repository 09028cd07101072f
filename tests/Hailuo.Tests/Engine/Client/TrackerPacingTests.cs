using System.Collections.Concurrent;
using Hailuo.Models;
using Hailuo.Tracking;

namespace Hailuo.Tests.Engine.Client;

/// <summary>How often the tracker looks at a job that is due to finish, with and without submits waiting for a slot.</summary>
public sealed class TrackerPacingTests
{
    private const double Scale = 0.1; // the 4.5 s detection step becomes 450 ms: long beside a loaded machine's timer delays

    private static async Task<double> MedianGapMsAsync(bool slotsWanted)
    {
        var polls = new ConcurrentQueue<DateTimeOffset>();
        Task<HailuoJob> Poll(HailuoJob job, CancellationToken _)
        {
            polls.Enqueue(DateTimeOffset.UtcNow);
            return Task.FromResult(job); // never finishes: every poll is one more step in the window
        }
        using var tracker = new JobTracker(Poll, new TrackerOptions { TimeScale = Scale, SlotsWanted = () => slotsWanted });
        var now = DateTimeOffset.UtcNow;
        // Started 35 s ago (scaled): inside the published 30-90 s, where it may finish at any read, for the whole test.
        var job = new HailuoJob("due-" + slotsWanted, HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Running)
            .With(createdAt: now.AddSeconds(-35 * Scale), startedAt: now.AddSeconds(-35 * Scale));
        _ = tracker.Track(job, pollNow: true);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (polls.Count < 7 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var times = polls.ToArray();
        Assert.True(times.Length >= 7, $"only {times.Length} polls in 10 s");
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).Order().ToArray();
        return gaps[gaps.Length / 2];
    }

    [Fact]
    public async Task Jobs_due_to_finish_are_looked_at_twice_as_often_while_submits_wait_for_a_slot()
    {
        var relaxed = await MedianGapMsAsync(slotsWanted: false);
        var urgent = await MedianGapMsAsync(slotsWanted: true);
        // 4.5 s and 2.25 s scaled: 450 ms and 225 ms, plus whatever the timers run late on a busy machine (never early).
        Assert.True(relaxed >= 430, $"relaxed gap {relaxed:0} ms, under the 450 ms step");
        Assert.InRange(urgent, 215, 0.75 * relaxed);
    }
}

using Hailuo.Models;
using Hailuo.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Hailuo.Tests.Engine.Client;

/// <summary>How often the tracker looks at a job that is due to finish, with and without submits waiting for a slot.</summary>
public sealed class TrackerPacingTests
{
    private const double Pace = 0.1; // the emulator's --time-scale: the 4.5 s detection step is 450 ms of the clock

    private static async Task<TimeSpan[]> GapsAsync(bool slotsWanted)
    {
        var fake = new FakeTimeProvider();
        var clock = new EmulatedTime(Pace, fake);
        var polls = new List<DateTimeOffset>();
        Task<HailuoJob> Poll(HailuoJob job, CancellationToken _)
        {
            polls.Add(fake.GetUtcNow());
            return Task.FromResult(job); // never finishes: every poll is one more step in the window
        }
        using var tracker = new JobTracker(Poll, new TrackerOptions { SlotsWanted = () => slotsWanted }, clock, null, runLoop: false);
        // Started 35 s ago at the provider's pace: inside the published 30-90 s, where it may finish at any read, for the whole test.
        var started = fake.GetUtcNow() - EmulatedTime.ProviderTime(clock, TimeSpan.FromSeconds(35));
        var job = new HailuoJob("due-" + slotsWanted, HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Running)
            .With(createdAt: started, startedAt: started);
        _ = tracker.Track(job, pollNow: true);
        while (polls.Count < 7)
        {
            fake.SetUtcNow(tracker.NextDue!.Value);
            await tracker.PollDueAsync();
        }
        return polls.Zip(polls.Skip(1), (a, b) => b - a).ToArray();
    }

    [Fact]
    public async Task Jobs_due_to_finish_are_looked_at_twice_as_often_while_submits_wait_for_a_slot()
    {
        var step = EmulatedTime.ProviderTime(new EmulatedTime(Pace), new TrackerOptions().DetectionInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(450), step);

        Assert.All(await GapsAsync(slotsWanted: false), gap => Assert.Equal(step, gap));
        Assert.All(await GapsAsync(slotsWanted: true), gap => Assert.Equal(step / 2, gap));
    }
}

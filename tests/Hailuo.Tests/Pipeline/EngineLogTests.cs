using System.Collections.Concurrent;
using Hailuo.Models;
using Hailuo.Pipeline;
using Hailuo.Tracking;

namespace Hailuo.Tests.Pipeline;

public sealed class EngineLogTests
{
    [Fact]
    public async Task A_line_goes_to_the_pump_of_the_command_whose_work_wrote_it_in_the_stream_of_its_level()
    {
        using var first = new PipelinePump();
        using var second = new PipelinePump();
        Task firstWork, secondWork;
        using (EngineLog.Enter(first))
        {
            // Work a command starts carries its route through awaits, whichever thread it resumes on.
            firstWork = Task.Run(async () => { await Task.Yield(); EngineLog.Write(HailuoLogLevel.Warning, "recovered job r-1"); });
        }
        using (EngineLog.Enter(second))
        {
            secondWork = Task.Run(async () =>
            {
                await Task.Delay(1);
                EngineLog.Write(HailuoLogLevel.Debug, "3 requests");
                EngineLog.Write(HailuoLogLevel.Verbose, "retry 1");
            });
        }
        await Task.WhenAll(firstWork, secondWork);
        var firstOut = new RecordingOutput();
        var secondOut = new RecordingOutput();
        first.Drain(firstOut);
        second.Drain(secondOut);

        Assert.Equal(["recovered job r-1"], firstOut.Warnings);
        Assert.Empty(firstOut.Verbose);
        Assert.Empty(firstOut.Debug);
        Assert.Empty(secondOut.Warnings);
        Assert.Equal(["3 requests"], secondOut.Debug);
        Assert.Equal(["retry 1"], secondOut.Verbose);
    }

    [Fact]
    public async Task A_line_from_work_no_command_started_or_after_its_command_ended_is_dropped_quietly()
    {
        EngineLog.Write(HailuoLogLevel.Warning, "nobody is listening");
        var pump = new PipelinePump();
        Task late;
        using (EngineLog.Enter(pump))
        {
            late = Task.Run(async () => { await Task.Delay(20); EngineLog.Write(HailuoLogLevel.Verbose, "after the end"); });
        }
        var seen = new RecordingOutput();
        pump.Drain(seen);
        pump.Dispose();

        await late; // must not throw although the pump is gone

        Assert.Empty(seen.Warnings);
        Assert.Empty(seen.Verbose);
    }

    [Fact]
    public async Task A_shared_tracker_logs_a_jobs_reads_to_the_command_that_tracked_it_not_to_the_one_that_made_the_tracker()
    {
        using var first = new PipelinePump();
        using var second = new PipelinePump();
        var failedOnce = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        // Each job's first read fails (and is logged); its second finds it done.
        Task<HailuoJob> Poll(HailuoJob job, CancellationToken _) => failedOnce.TryAdd(job.Id, true)
            ? Task.FromException<HailuoJob>(new InvalidOperationException("503"))
            : Task.FromResult(job.With(status: JobStatus.Succeeded));
        var options = new TrackerOptions { MinInterval = TimeSpan.FromMilliseconds(1), FirstLook = TimeSpan.FromMilliseconds(1) };
        JobTracker tracker;
        Task<HailuoJob> mine, theirs;
        using (EngineLog.Enter(first))
        {
            // The first command makes the account's tracker, as the first pipeline's first client does.
            tracker = new JobTracker(Poll, options, log: EngineLog.Write);
            mine = tracker.Track(new HailuoJob("job-a", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued));
        }
        using (tracker)
        {
            using (EngineLog.Enter(second))
            {
                theirs = tracker.Track(new HailuoJob("job-b", HailuoProvider.Replicate, HailuoModels.Standard, JobStatus.Queued));
            }
            await Task.WhenAll(mine, theirs);
        }
        var firstOut = new RecordingOutput();
        var secondOut = new RecordingOutput();
        first.Drain(firstOut);
        second.Drain(secondOut);

        Assert.Equal(["Status of job-a could not be read (503); trying again."], firstOut.Verbose);
        Assert.Equal(["Status of job-b could not be read (503); trying again."], secondOut.Verbose);
    }
}

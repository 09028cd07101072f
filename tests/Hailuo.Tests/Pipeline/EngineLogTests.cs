using Hailuo.Pipeline;

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
}

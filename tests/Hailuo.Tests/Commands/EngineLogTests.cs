using Hailuo.Commands;

namespace Hailuo.Tests.Commands;

public sealed class EngineLogTests
{
    [Fact]
    public void A_line_goes_once_to_the_pump_served_last_in_the_stream_of_its_level()
    {
        var log = new EngineLog();
        using var first = new PipelinePump(log);
        using var second = new PipelinePump(log);
        var firstOut = new RecordingOutput();
        var secondOut = new RecordingOutput();
        first.Drain(firstOut);
        Thread.Sleep(5);
        second.Drain(secondOut); // the pipeline thread now serves the second command (Wait's end after New's)

        log.Write(HailuoLogLevel.Warning, "recovered job r-1");
        log.Write(HailuoLogLevel.Debug, "3 requests");
        log.Write(HailuoLogLevel.Verbose, "retry 1");
        first.Drain(firstOut);
        second.Drain(secondOut);

        Assert.Empty(firstOut.Warnings);
        Assert.Empty(firstOut.Verbose);
        Assert.Empty(firstOut.Debug);
        Assert.Equal(["recovered job r-1"], secondOut.Warnings);
        Assert.Equal(["3 requests"], secondOut.Debug);
        Assert.Equal(["retry 1"], secondOut.Verbose);
    }

    [Fact]
    public void A_line_with_no_command_running_or_after_a_command_ended_is_dropped_quietly()
    {
        var log = new EngineLog();
        log.Write(HailuoLogLevel.Warning, "nobody is listening");
        var pump = new PipelinePump(log);
        var seen = new RecordingOutput();
        pump.Drain(seen);
        pump.Dispose();
        log.Write(HailuoLogLevel.Verbose, "after the end");

        // The line written before any command ran is not kept for the next one.
        Assert.Empty(seen.Warnings);
    }
}

using System.Management.Automation;
using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Pipeline;

/// <summary>
/// Ctrl+C, which a host does as PowerShell.Stop(): a pipeline blocked in Wait-HailuoJob ends at once, with no error
/// but the stop, and the paid jobs keep running at the provider (stopping the pipeline is not canceling them).
/// </summary>
public sealed class StopTests : RunspaceTest
{
    /// <summary>Jobs that run for about 15 minutes here: the wait is still blocked whenever the test stops it.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options)
    {
        foreach (var model in options.GenerationTime.Keys.ToList())
        {
            options.GenerationTime[model] = Hailuo.Emulator.Core.GenerationTime.Fixed(1_000_000);
        }
    }

    [Theory]
    [InlineData("New-HailuoVideo -Prompt 'A glacier calving' | Wait-HailuoJob")]
    [InlineData("New-HailuoVideo -Prompt 'A glacier calving' | Wait-HailuoJob | Save-HailuoVideo -Path ./videos")]
    [InlineData("New-HailuoVideo -Prompt 'A glacier calving' -Wait -Path ./videos")]
    public async Task Stop_while_waiting_returns_promptly_and_leaves_no_error_but_the_stop(string pipeline)
    {
        Connect();
        using var running = Session.Start(pipeline);
        WaitUntil(() => Emulator.JobStates().Values.Any(state => state == "Running"), "the job to run");
        await Task.Delay(300); // the waiting cmdlet is now polling

        var stop = Task.Run(running.Stop);

        Assert.True(await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(30))) == stop, "Stop() did not return within 30 s.");
        var result = running.Wait(TimeSpan.FromSeconds(30));
        Assert.True(result.Terminating is null or PipelineStoppedException, $"The stopped pipeline ended with {result.Terminating}");
        Assert.All(result.Errors, error => Assert.IsType<PipelineStoppedException>(error.Exception));
        Assert.Empty(result.Output);
        Assert.Equal("Running", Assert.Single(Emulator.JobStates().Values));
        Assert.Equal(0, Emulator.Count("cancels"));
    }

    [Fact]
    public void After_a_stop_the_session_goes_on_and_the_job_can_be_found_again()
    {
        Connect();
        using (var running = Session.Start("New-HailuoVideo -Prompt 'A glacier calving' | Wait-HailuoJob"))
        {
            WaitUntil(() => Emulator.JobStates().Values.Any(state => state == "Running"), "the job to run");
            running.Stop();
            running.Wait(TimeSpan.FromSeconds(30));
        }

        var listed = Run("Get-HailuoJob | Get-HailuoJob").AssertNoErrors();

        var job = Assert.Single(listed.Output);
        Assert.Equal("Running", job.Text("Status"));
        Assert.Equal("A glacier calving", job.Text("Prompt"));
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting for {what} after 30 s.");
            Thread.Sleep(20);
        }
    }
}

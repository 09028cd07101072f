using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>Stop-HailuoJob: cancels by job object or by id, asks before it does (-WhatIf, -Confirm), and says when there is nothing to cancel.</summary>
public sealed class StopHailuoJobTests : RunspaceTest
{
    /// <summary>
    /// 768p 6 s jobs take about 15 minutes here, so they are still running whenever a test stops them; 10 s jobs
    /// take about 0.2 s, for a job that has finished.
    /// </summary>
    protected override void ConfigureEmulator(EmulatorOptions options)
    {
        options.GenerationSeconds["768p-6s"] = 1_000_000;
        options.GenerationSeconds["768p-10s"] = 180;
    }

    [Theory]
    [InlineData("$Job | Stop-HailuoJob -PassThru")]
    [InlineData("Stop-HailuoJob $Job -PassThru")]
    [InlineData("Stop-HailuoJob -Id $Job.Id -PassThru")]
    [InlineData("Stop-HailuoJob -job_id $Job.Id -Provider CoreToday -PassThru")]
    [InlineData("$Job | Select-Object Id, Provider | Stop-HailuoJob -PassThru")]
    public void A_running_job_given_as_an_object_or_an_id_is_canceled_and_PassThru_writes_it(string command)
    {
        var job = RunningJob();

        var result = Run("param($Job) " + command, new { Job = job }).AssertNoErrors();

        var stopped = Assert.Single(result.Output);
        Assert.Equal(job.Text("Id"), stopped.Text("Id"));
        Assert.Equal("Canceled", stopped.Text("Status"));
        Assert.Equal("Canceled", Emulator.JobStates()[job.Text("Id")!]);
    }

    [Fact]
    public void Without_PassThru_it_writes_nothing_and_the_job_is_canceled()
    {
        var job = RunningJob();

        var result = Run("param($Job) $Job | Stop-HailuoJob", new { Job = job }).AssertNoErrors();

        Assert.Empty(result.Output);
        Assert.Equal("Canceled", Emulator.JobStates()[job.Text("Id")!]);
    }

    [Fact]
    public void A_job_that_already_finished_is_a_warning_not_an_error()
    {
        Connect();
        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill' -Duration 10 | Wait-HailuoJob").AssertNoErrors().Output);

        var result = Run("param($Job) $Job | Stop-HailuoJob -PassThru", new { Job = job }).AssertNoErrors();

        var warning = Assert.Single(result.Warnings);
        Assert.Equal($"Job {job.Text("Id")} was already Succeeded; nothing to cancel.", warning.Message);
        Assert.Equal("Succeeded", Assert.Single(result.Output).Text("Status"));
        Assert.Equal("Succeeded", Emulator.JobStates()[job.Text("Id")!]);
    }

    [Fact]
    public void A_job_on_a_provider_without_a_cancel_call_is_a_not_supported_error_that_names_the_providers_with_one()
    {
        Connect("MiniMax");
        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A glacier calving'").AssertNoErrors().Output);

        var error = Run("param($Job) $Job | Stop-HailuoJob -PassThru", new { Job = job }).SingleError();

        Assert.Equal("Hailuo.NotSupported,Hailuo.PowerShell.Commands.StopHailuoJobCommand", error.FullyQualifiedErrorId);
        Assert.Equal($"MiniMax has no cancel call: job {job.Text("Id")} runs to completion and is charged.", error.Exception.Message);
        Assert.Equal("Let it finish; only core.today and Replicate can cancel a job.", error.ErrorDetails.RecommendedAction);
        Assert.Equal(0, Emulator.Count("cancels", ProviderNames.MiniMax));
    }

    private System.Management.Automation.PSObject RunningJob()
    {
        Connect();
        return Assert.Single(Run("New-HailuoVideo -Prompt 'A glacier calving'").AssertNoErrors().Output);
    }
}

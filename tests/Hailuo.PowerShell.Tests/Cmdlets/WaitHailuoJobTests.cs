using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>Wait-HailuoJob's sets, "Job" (objects, the default) and "Id" (ids by property name), and -Timeout and -Any.</summary>
public sealed class WaitHailuoJobTests : RunspaceTest
{
    /// <summary>A 1080p job takes about 5 s here, a 768p one 30-90 ms: far enough apart that which finishes first is certain.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options) =>
        options.GenerationSeconds["1080p-6s"] = 5000;

    [Theory]
    [InlineData("$Jobs | Wait-HailuoJob")]
    [InlineData("Wait-HailuoJob $Jobs")]
    [InlineData("Wait-HailuoJob -Job $Jobs")]
    [InlineData("Wait-HailuoJob -Id $Jobs.Id")]
    [InlineData("Wait-HailuoJob -JobId $Jobs.Id -Provider CoreToday")]
    [InlineData("$Jobs | Select-Object @{ n = 'job_id'; e = { $_.Id } } | Wait-HailuoJob")]
    [InlineData("$Jobs | Select-Object Id, Provider | Wait-HailuoJob")]
    public void Jobs_given_as_objects_or_as_ids_are_waited_for_until_they_finish(string command)
    {
        Connect();
        var jobs = Run("'A kite over a hill', 'A heron in the reeds' | ForEach-Object { New-HailuoVideo -Prompt $_ }").AssertNoErrors().Output;

        var result = Run("param($Jobs) " + command, new { Jobs = jobs.ToArray() }).AssertNoErrors();

        Assert.Equal(jobs.Select(job => job.Text("Id")).Order(StringComparer.Ordinal), result.Output.Select(job => job.Text("Id")).Order(StringComparer.Ordinal));
        Assert.All(result.Output, job => Assert.Equal("Succeeded", job.Text("Status")));
    }

    [Fact]
    public void A_csv_of_exported_jobs_binds_by_its_Id_and_Provider_columns()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Export-Csv jobs.csv").AssertNoErrors();

        var result = Run("Import-Csv jobs.csv | Wait-HailuoJob").AssertNoErrors();

        Assert.Equal("Succeeded", Assert.Single(result.Output).Text("Status"));
    }

    [Fact]
    public void Jobs_saved_with_Export_Clixml_come_back_and_are_waited_for()
    {
        Connect();
        Run("New-HailuoVideo -Prompt 'A kite over a hill' | Export-Clixml jobs.xml").AssertNoErrors();

        var result = Run("Import-Clixml jobs.xml | Wait-HailuoJob").AssertNoErrors();

        Assert.Equal("Succeeded", Assert.Single(result.Output).Text("Status"));
    }

    [Fact]
    public void A_job_object_made_by_hand_is_followed_by_its_id_and_provider_in_any_case()
    {
        Connect();
        var id = Assert.Single(Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output).Text("Id");

        var result = Run("param($Id) [Hailuo.PowerShell.HailuoJobInfo]@{ Id = \" $Id \"; Provider = 'coretoday'; Status = 'RUNNING' } | Wait-HailuoJob", new { Id = id }).AssertNoErrors();

        var job = Assert.Single(result.Output);
        Assert.Equal(id, job.Text("Id"));
        Assert.Equal("Succeeded", job.Text("Status"));
    }

    [Fact]
    public void Timeout_returns_after_that_many_seconds_with_the_jobs_that_finished()
    {
        Connect();

        var result = Run("""
            $slow = New-HailuoVideo -Prompt 'A glacier calving' -Resolution 1080p
            $fast = New-HailuoVideo -Prompt 'A kite over a hill'
            $slow, $fast | Wait-HailuoJob -Timeout 2
            """);

        Assert.Equal(["A kite over a hill"], result.Output.Select(job => job.Text("Prompt")));
        Assert.Equal("Succeeded", result.Output[0].Text("Status"));
    }

    [Fact]
    public void Any_returns_the_first_job_to_finish()
    {
        Connect();

        var result = Run("""
            $slow = New-HailuoVideo -Prompt 'A glacier calving' -Resolution 1080p
            $fast = New-HailuoVideo -Prompt 'A kite over a hill'
            $slow, $fast | Wait-HailuoJob -Any
            """).AssertNoErrors();

        Assert.Equal(["A kite over a hill"], result.Output.Select(job => job.Text("Prompt")));
    }

    [Fact]
    public void Without_jobs_it_asks_for_the_mandatory_Job_and_a_host_that_cannot_ask_refuses()
    {
        Connect();

        var result = Run("Wait-HailuoJob");

        var error = result.SingleError();
        Assert.Equal("MissingMandatoryParameter,Hailuo.PowerShell.Commands.WaitHailuoJobCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Job", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_and_ids_together_name_no_parameter_set()
    {
        Connect();
        var jobs = Run("New-HailuoVideo -Prompt 'A kite over a hill'").AssertNoErrors().Output;

        var result = Run("param($Jobs) Wait-HailuoJob -Job $Jobs -Id job-1", new { Jobs = jobs.ToArray() });

        var error = result.SingleError();
        Assert.Equal("AmbiguousParameterSet,Hailuo.PowerShell.Commands.WaitHailuoJobCommand", error.FullyQualifiedErrorId);
    }
}

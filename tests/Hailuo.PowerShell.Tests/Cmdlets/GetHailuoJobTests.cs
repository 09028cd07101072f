using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>Get-HailuoJob's two sets: refresh by id ("ById") and list the ledger ("List", the default).</summary>
public sealed class GetHailuoJobTests : RunspaceTest
{
    [Theory]
    [InlineData("Get-HailuoJob $Id")]
    [InlineData("Get-HailuoJob -Id $Id")]
    [InlineData("Get-HailuoJob -JobId $Id")]
    [InlineData("Get-HailuoJob -job_id $Id")]
    [InlineData("Get-HailuoJob -task_id $Id")]
    [InlineData("$Id | Get-HailuoJob")]
    [InlineData("[pscustomobject]@{ job_id = $Id } | Get-HailuoJob")]
    [InlineData("[pscustomobject]@{ task_id = $Id } | Get-HailuoJob")]
    [InlineData("Get-HailuoJob -Id $Id -Provider coretoday")]
    public void An_id_given_any_way_refreshes_that_job_from_its_provider(string command)
    {
        var id = FinishedJobId("A kite over a hill");
        var pollsBefore = Emulator.Count("statusPolls");

        var job = Assert.Single(Run("param($Id) " + command, new { Id = id }).AssertNoErrors().Output);

        Assert.Equal(id, job.Text("Id"));
        Assert.Equal("Succeeded", job.Text("Status"));
        Assert.NotNull(job.Property("VideoUri"));
        Assert.True(Emulator.Count("statusPolls") > pollsBefore, "Get-HailuoJob -Id asks the provider, not only the ledger.");
    }

    [Fact]
    public void Several_ids_in_one_argument_each_give_their_job()
    {
        var first = FinishedJobId("A kite over a hill");
        var second = FinishedJobId("A heron in the reeds");

        var result = Run("param($First, $Second) Get-HailuoJob $First, $Second", new { First = first, Second = second }).AssertNoErrors();

        Assert.Equal([first, second], result.Output.Select(job => job.Text("Id")));
    }

    [Fact]
    public void Jobs_piped_in_are_refreshed_by_their_id()
    {
        Connect();

        var result = Run("New-HailuoVideo -Prompt 'A kite over a hill' | Wait-HailuoJob | Get-HailuoJob").AssertNoErrors();

        Assert.Equal("Succeeded", Assert.Single(result.Output).Text("Status"));
    }

    [Fact]
    public void Without_an_id_it_lists_the_ledger_newest_first_and_filters_by_status_first_since_and_tag()
    {
        Connect();
        WriteCsv("rows.csv", "prompt,scene", ["A kite over a hill,1", "A heron in the reeds,2"]);
        Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob").AssertNoErrors();
        Run("New-HailuoVideo -Prompt 'A chef slicing sushi' -Resolution 1080p -Duration 6").AssertNoErrors();

        var all = Run("Get-HailuoJob").AssertNoErrors();
        var succeeded = Run("Get-HailuoJob -Status Succeeded").AssertNoErrors();
        var newest = Run("Get-HailuoJob -First 1").AssertNoErrors();
        var tagged = Run("Get-HailuoJob -Tag @{ scene = '2' }").AssertNoErrors();
        var future = Run("Get-HailuoJob -Since (Get-Date).AddHours(1)").AssertNoErrors();
        var past = Run("Get-HailuoJob -Since (Get-Date).AddHours(-1) -Provider CoreToday").AssertNoErrors();

        Assert.Equal(3, all.Output.Count);
        Assert.Equal("A chef slicing sushi", all.Output[0].Text("Prompt"));
        Assert.Equal(["A heron in the reeds", "A kite over a hill"], succeeded.Output.Select(job => job.Text("Prompt")).Order(StringComparer.Ordinal));
        Assert.Equal(["A chef slicing sushi"], newest.Output.Select(job => job.Text("Prompt")));
        Assert.Equal(["A heron in the reeds"], tagged.Output.Select(job => job.Text("Prompt")));
        Assert.Empty(future.Output);
        Assert.Equal(3, past.Output.Count);
    }

    [Fact]
    public void The_list_parameters_and_an_id_together_name_no_parameter_set()
    {
        Connect();

        var result = Run("Get-HailuoJob -Id job-1 -Status Failed");

        var error = result.SingleError();
        Assert.Equal("AmbiguousParameterSet,Hailuo.PowerShell.Commands.GetHailuoJobCommand", error.FullyQualifiedErrorId);
        Assert.Equal(0, Emulator.Count("requests"));
    }

    [Fact]
    public void Id_without_a_value_is_a_missing_argument()
    {
        Connect();

        var result = Run("Get-HailuoJob -Id");

        var error = result.SingleError();
        Assert.Equal("MissingArgument,Hailuo.PowerShell.Commands.GetHailuoJobCommand", error.FullyQualifiedErrorId);
    }

    private string FinishedJobId(string prompt)
    {
        Connect();
        var job = Assert.Single(Run("param($Prompt) New-HailuoVideo -Prompt $Prompt | Wait-HailuoJob", new { Prompt = prompt }).AssertNoErrors().Output);
        return job.Text("Id")!;
    }
}

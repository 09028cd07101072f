using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>
/// Save-HailuoVideo's binding: jobs by value or position, ids by property name, Path by position 1. What it writes
/// to the pipeline is being reshaped elsewhere, so these tests read the folder, not the output.
/// </summary>
public sealed class SaveHailuoVideoTests : RunspaceTest
{
    [Theory]
    [InlineData("$Jobs | Save-HailuoVideo -Path ./videos")]
    [InlineData("$Jobs | Save-HailuoVideo ./videos")]
    [InlineData("Save-HailuoVideo ./videos -Job $Jobs")]
    [InlineData("Save-HailuoVideo -Id $Jobs.Id -Path ./videos")]
    [InlineData("$Jobs | Select-Object @{ n = 'job_id'; e = { $_.Id } }, Provider | Save-HailuoVideo -Path ./videos")]
    public void Finished_jobs_given_as_objects_or_ids_are_saved_into_the_folder(string command)
    {
        var jobs = FinishedJobs("A kite over a hill", "A heron in the reeds");

        Run("param($Jobs) " + command, new { Jobs = jobs }).AssertNoErrors();

        Assert.Equal(2, Mp4Files("videos").Count);
        Assert.Equal(2, Emulator.Count("downloads"));
    }

    [Fact]
    public void A_csv_of_exported_jobs_is_saved_from_its_Id_and_Provider_columns()
    {
        FinishedJobs("A kite over a hill");
        Run("Get-HailuoJob | Export-Csv done.csv").AssertNoErrors();

        Run("Import-Csv done.csv | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        Assert.Single(Mp4Files("videos"));
    }

    [Fact]
    public void Without_a_path_the_videos_go_to_the_current_location_named_by_the_default_template()
    {
        var job = Assert.Single(FinishedJobs("A kite over a hill"));

        Run("param($Job) $Job | Save-HailuoVideo", new { Job = job }).AssertNoErrors();

        var file = Path.GetFileName(Assert.Single(Mp4Files(".")));
        Assert.StartsWith("0001-", file, StringComparison.Ordinal);
        Assert.Contains(job.Text("Id")!, file, StringComparison.Ordinal);
    }

    [Fact]
    public void FileNameTemplate_names_each_file_from_the_job()
    {
        var jobs = FinishedJobs("A kite over a hill");

        Run("param($Jobs) $Jobs | Save-HailuoVideo -Path ./videos -FileNameTemplate '{id}'", new { Jobs = jobs }).AssertNoErrors();

        Assert.Equal(jobs[0].Text("Id") + ".mp4", Path.GetFileName(Assert.Single(Mp4Files("videos"))));
    }

    [Fact]
    public void Without_jobs_it_asks_for_the_mandatory_Job_and_a_host_that_cannot_ask_refuses()
    {
        Connect();

        var result = Run("Save-HailuoVideo -Path ./videos");

        var error = result.SingleError();
        Assert.Equal("MissingMandatoryParameter,Hailuo.PowerShell.Commands.SaveHailuoVideoCommand", error.FullyQualifiedErrorId);
    }

    private System.Management.Automation.PSObject[] FinishedJobs(params string[] prompts)
    {
        Connect();
        return Run("param($Prompts) $Prompts | ForEach-Object { New-HailuoVideo -Prompt $_ } | Wait-HailuoJob", new { Prompts = prompts })
            .AssertNoErrors().Output.ToArray();
    }

    private List<string> Mp4Files(string folder)
    {
        var path = Path.GetFullPath(Path.Combine(Home.Work, folder));
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.mp4").ToList() : [];
        Assert.All(files, file => Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file), 4, 4)));
        return files;
    }
}

using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>What Save-HailuoVideo writes, and what it refuses before anything is paid for.</summary>
public sealed class SaveHailuoVideoFilesTests : RunspaceTest
{
    [Fact]
    public void Saved_files_are_FileSystem_items_that_pipe_to_Remove_Item_even_under_a_wildcard_folder()
    {
        Connect();

        var result = Run("""
            $files = New-HailuoVideo 'A kite', 'A heron' | Wait-HailuoJob | Save-HailuoVideo -Path './br[2]'
            $files | ForEach-Object { $_.PSPath }
            $files | Remove-Item
            """).AssertNoErrors();

        Assert.All(result.Output, path => Assert.StartsWith("Microsoft.PowerShell.Core\\FileSystem::", path.ToString()));
        Assert.Equal(2, result.Output.Count);
        Assert.Empty(Directory.GetFiles(Home.File("br[2]")));
    }

    [Fact]
    public void WhatIf_with_Force_leaves_a_file_it_would_replace_as_it_is()
    {
        Connect();
        Directory.CreateDirectory(Home.File("videos"));
        var job = Run("New-HailuoVideo 'A kite' | Wait-HailuoJob").AssertNoErrors().Output.Single();
        var name = $"0001-a-kite-{job.Properties["Id"].Value}.mp4";
        File.WriteAllText(Home.File(Path.Combine("videos", name)), "not the video");

        var result = Run("param($Job) $Job | Save-HailuoVideo -Path ./videos -Force -WhatIf", new { Job = job }).AssertNoErrors();

        Assert.Empty(result.Output);
        Assert.Equal("not the video", File.ReadAllText(Home.File(Path.Combine("videos", name))));
        Assert.Equal(0, Emulator.Count("downloads"));
    }

    [Theory]
    [InlineData("{index")]
    [InlineData("{prompt:0}")]
    [InlineData("sub/{id}")]
    public void A_bad_template_is_refused_before_New_HailuoVideo_sends_anything(string template)
    {
        WriteCsv("rows.csv", "prompt", "Row one", "Row two", "Row three", "Row four", "Row five");
        Connect();

        var result = Run("param($Template) try { Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos -FileNameTemplate $Template } catch { $_ }",
            new { Template = template });

        var caught = Assert.Single(result.Objects<ErrorRecord>());
        Assert.Contains("-FileNameTemplate", caught.ErrorDetails.RecommendedAction);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Long_names_keep_the_id_and_names_that_render_empty_do_not_share_one_file()
    {
        var longPrompt = string.Join(" ", Enumerable.Repeat("A very long prompt about a lighthouse", 10));
        WriteCsv("rows.csv", "prompt,scene", $"{longPrompt} one,", $"{longPrompt} two,");
        Connect();

        var result = Run("""
            $jobs = Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob
            $jobs | Save-HailuoVideo -Path ./long -FileNameTemplate '{prompt:150}-{id}' | ForEach-Object Name
            $jobs | Save-HailuoVideo -Path ./empty -FileNameTemplate '{scene}' | ForEach-Object Name
            $jobs.Id
            """).AssertNoErrors();

        var ids = result.Output.Skip(4).Select(o => o.ToString()).ToList();
        var longNames = result.Output.Take(2).Select(o => o.ToString()).ToList();
        var emptyNames = result.Output.Skip(2).Take(2).Select(o => o.ToString()).ToList();
        Assert.All(longNames, n => Assert.True(n.Length <= 150, n));
        Assert.Equal(ids.Order(), longNames.Select(n => ids.Single(id => n.EndsWith($"-{id}.mp4", StringComparison.Ordinal))).Order());
        Assert.Equal(ids.Select(id => id + ".mp4").Order(), emptyNames.Order());
    }

    [Fact]
    public void An_error_while_saving_names_the_row_the_job_and_the_file()
    {
        Connect();
        Emulator.SetFaults("download:expire=1");

        var result = Run("New-HailuoVideo 'A lantern festival' | Wait-HailuoJob | Save-HailuoVideo -Path ./videos");

        var error = Assert.Single(result.Errors);
        var job = Run("Get-HailuoJob -First 1").AssertNoErrors().Output.Single();
        Assert.StartsWith($"Row 1, job {job.Properties["Id"].Value}, file '{Home.File("videos")}", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void The_save_bar_shows_while_jobs_are_still_being_waited_for()
    {
        WriteCsv("rows.csv", "prompt,duration", "A short one,6", "A longer one,10");
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        var progress = result.Progress.ToList();
        var firstSaveBar = progress.FindIndex(p => p.Activity == "Saving Hailuo videos");
        var waitDone = progress.FindIndex(p => p.Activity == "Waiting for Hailuo videos" && p.RecordType == ProgressRecordType.Completed);
        Assert.True(firstSaveBar >= 0 && firstSaveBar < waitDone, $"The save bar came at {firstSaveBar}, the wait ended at {waitDone}.");
    }

    protected override void ConfigureEmulator(Hailuo.Emulator.EmulatorOptions options)
    {
        // The second row's job takes three times the first's, so its wait is still on while the first is saved.
        options.TimeScale = 0.002;
        options.GenerationSeconds["768p-6s"] = 60;
        options.GenerationSeconds["768p-10s"] = 180;
    }

    [Fact]
    public void A_template_whose_own_text_is_too_long_still_keeps_the_id()
    {
        Connect();
        var literal = new string('x', 200);

        var result = Run("param($Template) New-HailuoVideo 'A kite' | Wait-HailuoJob | Save-HailuoVideo -Path ./videos -FileNameTemplate $Template | ForEach-Object Name",
            new { Template = literal + "-{id}" }).AssertNoErrors();

        var id = Run("(Get-HailuoJob -First 1).Id").AssertNoErrors().Output.Single().ToString();
        var name = result.Output.Single().ToString();
        Assert.EndsWith($"{id}.mp4", name, StringComparison.Ordinal);
        Assert.True(name.Length <= 150, name);
    }

    [Fact]
    public void A_re_run_finds_the_files_it_saved_whole_and_asks_the_provider_nothing()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row", "A third row");
        Connect();
        Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();
        var requests = Emulator.Count("requests");
        // Every call to the provider would now fail.
        Emulator.SetFaults("5xx=1");

        var again = Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        Assert.Equal(3, again.Output.Count);
        Assert.All(again.Output, file => Assert.True((bool)file.Properties["Skipped"].Value));
        Assert.Equal(requests, Emulator.Count("requests"));
    }
}

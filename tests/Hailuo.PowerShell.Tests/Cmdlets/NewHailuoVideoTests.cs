using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>How New-HailuoVideo binds what users type and what Import-Csv gives it.</summary>
public sealed class NewHailuoVideoTests : RunspaceTest
{
    [Fact]
    public void Csv_columns_bind_by_parameter_name_in_any_case()
    {
        WriteCsv("rows.csv", "PROMPT,Duration,resolution,MODEL", ["A lighthouse in a storm,10,768p,hailuo-2.3"]);
        Connect();

        var job = Assert.Single(Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors().Output);

        Assert.Equal("A lighthouse in a storm", job.Text("Prompt"));
        Assert.Equal(10, (int?)job.Property("Duration"));
        Assert.Equal("768p", job.Text("Resolution"));
        Assert.Equal("hailuo-2.3", job.Text("Model"));
    }

    [Fact]
    public void Snake_case_columns_bind_through_the_aliases()
    {
        var image = CopyFirstFrameImage();
        WriteCsv("rows.csv", "prompt,first_frame_image,prompt_optimizer,callback_url",
            [$"The scene comes alive,first-frame.png,False,{EmulatorHost.UnreachableCallback}"]);
        WriteCsv("image.csv", "prompt,image", ["The scene moves on,first-frame.png"]);
        Connect();

        var result = Run("Import-Csv rows.csv, image.csv | New-HailuoVideo").AssertNoErrors();

        var alive = Assert.Single(result.Output, job => job.Text("Prompt") == "The scene comes alive");
        Assert.Equal(image, alive.Text("FirstFrameImage"));
        Assert.Equal(false, (bool?)alive.Property("PromptOptimizer"));
        Assert.Equal(EmulatorHost.UnreachableCallback, alive.Text("CallbackUrl"));
        var movesOn = Assert.Single(result.Output, job => job.Text("Prompt") == "The scene moves on");
        Assert.Equal(image, movesOn.Text("FirstFrameImage"));
    }

    [Fact]
    public void The_aliases_can_be_typed_as_parameters()
    {
        var image = CopyFirstFrameImage();
        Connect("MiniMax");

        var job = Assert.Single(Run(
            $"New-HailuoVideo 'The scene comes alive' -image ./first-frame.png -prompt_optimizer no -fast_pretreatment yes -callback_url {EmulatorHost.UnreachableCallback}")
            .AssertNoErrors().Output);

        Assert.Equal(image, job.Text("FirstFrameImage"));
        Assert.Equal(false, (bool?)job.Property("PromptOptimizer"));
        Assert.Equal(true, (bool?)job.Property("FastPretreatment"));
        Assert.Equal(EmulatorHost.UnreachableCallback, job.Text("CallbackUrl"));
        Assert.Equal("MiniMax", job.Text("Provider"));
    }

    [Fact]
    public void Any_object_with_the_right_properties_binds_as_a_row()
    {
        Connect();

        var result = Run("""
            [pscustomobject]@{ Prompt = 'A heron in the reeds'; Duration = 6 },
            [pscustomobject]@{ prompt = 'A heron at dawn'; resolution = '1080p' } | New-HailuoVideo
            """).AssertNoErrors();

        Assert.Equal(["A heron at dawn", "A heron in the reeds"], result.Output.Select(job => job.Text("Prompt")).Order(StringComparer.Ordinal));
        Assert.Equal("1080p", Assert.Single(result.Output, job => job.Text("Prompt") == "A heron at dawn").Text("Resolution"));
    }

    [Fact]
    public void A_row_without_a_prompt_is_an_error_about_that_row_not_a_missing_mandatory_parameter()
    {
        Connect();

        var result = Run("[pscustomobject]@{ duration = '6'; scene = 'opening' }, [pscustomobject]@{ prompt = 'A kite over a hill' } | New-HailuoVideo");

        Assert.Null(result.Terminating);
        Assert.Equal(["A kite over a hill"], result.Output.Select(job => job.Text("Prompt")));
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, error =>
        {
            Assert.Equal("Hailuo.Validation,Hailuo.PowerShell.Commands.NewHailuoVideoCommand", error.FullyQualifiedErrorId);
            Assert.Equal("opening", ((PSObject)error.TargetObject).Text("scene"));
        });
        Assert.Equal(1, Emulator.Count("createRequests"));
    }

    [Fact]
    public void The_default_set_writes_each_job_as_soon_as_it_is_accepted_without_waiting_for_the_video()
    {
        Connect();

        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A chef slicing sushi'").AssertNoErrors().Output);

        Assert.Equal("Hailuo.PowerShell.HailuoJobInfo", job.BaseObject.GetType().FullName);
        Assert.Contains(job.Text("Status"), new[] { "Queued", "Running" });
        Assert.Equal(0, Emulator.Count("downloads"));
    }

    [Fact]
    public void The_Wait_set_submits_waits_and_saves_each_video_in_one_call()
    {
        Connect();

        Run("New-HailuoVideo -Prompt 'A chef slicing sushi' -Wait -Path ./videos -FileNameTemplate 'sushi'").AssertNoErrors();

        var file = Assert.Single(Directory.GetFiles(Home.File("videos")));
        Assert.Equal("sushi.mp4", Path.GetFileName(file));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file), 4, 4));
        Assert.Equal(1, Emulator.Count("createRequests"));
        Assert.Equal(1, Emulator.Count("downloads"));
    }
}

using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Pipeline;

/// <summary>
/// New | Wait | Save streams: each video is saved as soon as its job finishes, while slower jobs still run; and the
/// background work never writes to the pipeline from a thread of its own, which PowerShell refuses.
/// </summary>
public sealed class StreamingTests : RunspaceTest
{
    private const string MainLine = "Import-Csv prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos";

    /// <summary>A 1080p job takes about 3 s here, a 768p one 30-90 ms.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options) =>
        options.GenerationSeconds["1080p-6s"] = 3_000;

    [Fact]
    public void The_first_video_is_saved_while_the_last_job_still_runs()
    {
        WriteCsv("prompts.csv", "prompt,resolution",
            ["A lighthouse in a storm,768p", "A paper boat in a gutter,768p", "A chef slicing sushi,768p", "A glacier calving,1080p"]);
        Connect();
        using var running = Session.Start(MainLine);

        var videos = Home.File("videos");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Directory.Exists(videos) && Directory.EnumerateFiles(videos, "*.mp4").Any()) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        var states = Emulator.JobStates();

        Assert.True(Directory.EnumerateFiles(videos, "*.mp4").Any(), "No video was saved within 60 s.");
        Assert.Equal(4, states.Count);
        // The 1080p job at least is still running: the video already on disk did not wait for it.
        Assert.Contains(states.Values, state => state is "Queued" or "Running");
        var result = running.Wait(TimeSpan.FromSeconds(120)).AssertNoErrors();
        Assert.Equal(4, Directory.EnumerateFiles(videos, "*.mp4").Count());
        Assert.Equal(4, result.Output.Count);
    }

    [Fact]
    public void A_batch_of_20_rows_writes_every_object_and_message_from_the_pipeline_thread()
    {
        WriteCsv("prompts.csv", "prompt,scene", Enumerable.Range(1, 20).Select(i => $"A paper boat in a gutter take {i},{i}"));
        Connect();

        // Verbose, debug and progress go through the same rule as objects: all of them are on here.
        var result = Run("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; " + MainLine).AssertNoErrors();

        Assert.Equal(20, result.Output.Count);
        Assert.Equal(20, Directory.EnumerateFiles(Home.File("videos"), "*.mp4").Count());
        Assert.NotEmpty(result.Verbose);
        Assert.NotEmpty(result.Debug);
        Assert.NotEmpty(result.Progress);
        Assert.Equal(20, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Nothing_written_to_the_pipeline_comes_from_the_engines_private_load_context()
    {
        WriteCsv("prompts.csv", "prompt,scene", ["A lighthouse in a storm,1", "A paper boat in a gutter,2"]);
        Connect();

        // Read in the runspace: some of PowerShell's own properties (UnixMode) are scripts that need one.
        var result = Run("""
            $jobs = Import-Csv prompts.csv | New-HailuoVideo
            $done = $jobs | Wait-HailuoJob
            $files = $done | Save-HailuoVideo -Path ./videos
            foreach ($item in @($jobs; $done; $files; Get-HailuoJob; Get-HailuoConnection)) {
                $values = @($item.PSObject.BaseObject) + @($item.PSObject.Properties | Where-Object IsGettable | ForEach-Object { $_.Value })
                foreach ($value in $values | Where-Object { $null -ne $_ }) {
                    $type = $value.PSObject.BaseObject.GetType()
                    [pscustomobject]@{ Type = $type.FullName; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name }
                }
            }
            """).AssertNoErrors();

        Assert.Contains(result.Output, value => value.Text("Type") == "Hailuo.PowerShell.HailuoJobInfo");
        Assert.Contains(result.Output, value => value.Text("Type") == "Hailuo.PowerShell.HailuoConnectionInfo");
        Assert.All(result.Output, value => Assert.True(value.Text("Context") == "Default", $"A {value.Text("Type")} from the {value.Text("Context")} context reached the pipeline."));
    }
}

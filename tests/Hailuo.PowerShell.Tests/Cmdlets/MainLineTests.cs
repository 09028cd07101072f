using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>The line users judge the module by, typed as they type it.</summary>
public sealed class MainLineTests : RunspaceTest
{
    [Fact]
    public void A_csv_piped_through_the_three_cmdlets_leaves_one_mp4_per_row()
    {
        File.WriteAllText(Home.File("prompts.csv"), "prompt,duration,resolution,scene\n" +
            "A lighthouse in a storm,6,768p,1\n" +
            "A paper boat in a gutter,10,768p,2\n" +
            "A chef slicing sushi,6,1080p,3\n");
        Connect();

        var result = Run("Import-Csv prompts.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        var files = result.Objects<FileInfo>().ToList();
        Assert.Equal(3, files.Count);
        Assert.All(files, f => Assert.StartsWith(Path.Combine(Home.Work, "videos"), f.FullName, StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(f.FullName), 4, 4)));
        Assert.Equal(3, Emulator.Count("creates"));
    }

    [Fact]
    public void New_HailuoVideo_binds_a_prompt_by_position_and_by_name()
    {
        Connect();

        var byName = Run("New-HailuoVideo -Prompt 'A kite over a hill' -Duration 6 -Resolution 768p -Model hailuo-2.3").AssertNoErrors();
        var byPosition = Run("New-HailuoVideo 'A heron in the reeds'").AssertNoErrors();

        Assert.Single(byName.Output);
        Assert.Single(byPosition.Output);
        Assert.Equal(2, Emulator.Count("creates"));
    }
}

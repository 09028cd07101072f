using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>What Get-HailuoJob lists from the ledger, and how it looks to a user.</summary>
public sealed class GetHailuoJobLedgerTests : RunspaceTest
{
    [Fact]
    public void Jobs_listed_keep_their_row_and_columns_so_saving_them_again_writes_no_second_file()
    {
        WriteCsv("rows.csv", "prompt,scene", "A first row,harbour", "A second row,Market", "A third row,hill");
        Connect();
        Run("Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();
        var before = Videos();

        var listed = Run("Get-HailuoJob").AssertNoErrors();
        var again = Run("Get-HailuoJob -Since (Get-Date).AddHours(-1) | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        Assert.Equal([1L, 2L, 3L], listed.Output.Select(o => (long)o.Properties["Index"].Value).Order());
        Assert.Equal(["harbour", "hill", "Market"], listed.Output.Select(o => (string)o.Properties["scene"].Value).Order(StringComparer.OrdinalIgnoreCase));
        Assert.All(listed.Output, o => Assert.False((bool)o.Properties["Reused"].Value));
        Assert.All(listed.Output, o => Assert.Equal(420, o.Properties["Credits"].Value));
        Assert.Equal(3, again.Output.Count);
        Assert.Equal(before, Videos());
    }

    [Fact]
    public void Tag_filters_match_without_case()
    {
        WriteCsv("rows.csv", "prompt,scene", "A first row,Harbour", "A second row,market");
        Connect();
        Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var result = Run("Get-HailuoJob -Tag @{ SCENE = 'harbour' }").AssertNoErrors();

        Assert.Equal("A first row", Assert.Single(result.Output).Properties["Prompt"].Value);
    }

    [Fact]
    public void A_create_whose_outcome_is_unknown_is_listed_with_what_to_do()
    {
        Connect();
        Emulator.SetFaults("create:drop=1");
        Run("New-HailuoVideo 'A create whose answer is lost'");
        Emulator.SetFaults("");

        var result = Run("Get-HailuoJob -Status Unknown").AssertNoErrors();

        var unknown = Assert.Single(result.Output);
        Assert.Equal("Unknown", unknown.Properties["Status"].Value);
        Assert.Null(unknown.Properties["Id"].Value);
        Assert.Equal("A create whose answer is lost", unknown.Properties["Prompt"].Value);
        Assert.Contains("-Force", (string)unknown.Properties["RecommendedAction"].Value);
    }

    [Fact]
    public void Exported_jobs_carry_their_columns_and_no_hashtable()
    {
        WriteCsv("rows.csv", "prompt,scene", "A first row,harbour");
        Connect();

        Run("Import-Csv rows.csv | New-HailuoVideo | Export-Csv jobs.csv").AssertNoErrors();

        var text = File.ReadAllText(Home.File("jobs.csv"));
        Assert.Contains("\"scene\"", text);
        Assert.Contains("\"harbour\"", text);
        Assert.DoesNotContain("Hashtable", text);
    }

    [Fact]
    public void The_default_table_fits_80_columns_with_the_prompt_and_shows_more_of_it_at_120()
    {
        var prompt = "A slow pan across a rain-soaked neon street at night, reflections everywhere, a lone cyclist passing";
        Connect();
        Run("param($Prompt) New-HailuoVideo $Prompt | Wait-HailuoJob", new { Prompt = prompt }).AssertNoErrors();

        var narrow = Run("Get-HailuoJob | Format-Table | Out-String -Width 80").AssertNoErrors().Output.Single().ToString();
        var wide = Run("Get-HailuoJob | Format-Table | Out-String -Width 120").AssertNoErrors().Output.Single().ToString();

        var narrowRow = narrow.Split('\n').Single(l => l.Contains("job_", StringComparison.Ordinal));
        var wideRow = wide.Split('\n').Single(l => l.Contains("job_", StringComparison.Ordinal));
        Assert.True(narrowRow.TrimEnd().Length <= 80, narrowRow);
        Assert.Contains("Succeeded", narrowRow);
        Assert.Contains("A slow pan", narrowRow);
        Assert.Contains("neon street at night", wideRow);
        Assert.Contains("Index", narrow);
    }

    [Fact]
    public void First_counts_the_jobs_it_lists_not_the_creates_the_provider_refused()
    {
        Connect();
        Emulator.SetFaultRules(new { kind = "Credits", operation = "Create", times = 1 });
        Run("New-HailuoVideo 'A refused create'");
        Run("New-HailuoVideo 'A first job', 'A second job'").AssertNoErrors();

        var result = Run("Get-HailuoJob -First 2").AssertNoErrors();

        Assert.Equal(["A first job", "A second job"], result.Output.Select(o => (string)o.Properties["Prompt"].Value).Order());
    }

    [Fact]
    public void A_job_read_by_id_keeps_the_row_the_ledger_remembers_and_is_not_called_reused()
    {
        WriteCsv("rows.csv", "prompt", "A first row", "A second row", "A third row");
        Connect();
        var third = Run("Import-Csv rows.csv | New-HailuoVideo | Where-Object Index -eq 3").AssertNoErrors().Output.Single();

        var got = Run("param($Id) Get-HailuoJob $Id", new { Id = third.Properties["Id"].Value }).AssertNoErrors().Output.Single();
        var waited = Run("param($Id) Wait-HailuoJob $Id", new { Id = third.Properties["Id"].Value }).AssertNoErrors().Output.Single();

        Assert.Equal(3L, got.Properties["Index"].Value);
        Assert.False((bool)got.Properties["Reused"].Value);
        Assert.Equal(3L, waited.Properties["Index"].Value);
    }

    [Fact]
    public void A_create_with_an_unknown_outcome_piped_on_is_an_error_not_skipped()
    {
        Connect();
        Emulator.SetFaults("create:drop=1");
        Run("New-HailuoVideo 'A create whose answer is lost'");
        Emulator.SetFaults("");

        var result = Run("Get-HailuoJob -Status Unknown | Wait-HailuoJob");

        var error = Assert.Single(result.Errors);
        Assert.Contains("outcome is unknown", error.Exception.Message);
        Assert.Empty(result.Output);
    }
}

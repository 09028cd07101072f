using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Output;

/// <summary>Progress and Verbose tell the truth (-Debug in a host that cannot ask is in tests/Pester/Pipeline.Tests.ps1: it needs pwsh -NonInteractive).</summary>
public sealed class StreamTests : RunspaceTest
{
    [Fact]
    public void Verbose_says_which_job_Wait_HailuoJob_waits_for_and_how_it_ended()
    {
        Connect();

        var result = Run("New-HailuoVideo 'A lighthouse' | Wait-HailuoJob -Verbose").AssertNoErrors();

        var id = (string)result.Output.Single().Properties["Id"].Value;
        Assert.Contains(result.Verbose, v => v.Message.StartsWith("Waiting for CoreToday job " + id, StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.Message.StartsWith($"Job {id} of row 1 is Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose_says_what_Get_HailuoJob_read()
    {
        Connect();
        var id = Run("(New-HailuoVideo 'A lighthouse' | Wait-HailuoJob).Id").AssertNoErrors().Output.Single().ToString();

        var listed = Run("Get-HailuoJob -Verbose").AssertNoErrors();
        var read = Run("param($Id) Get-HailuoJob $Id -Verbose", new { Id = id }).AssertNoErrors();

        Assert.Contains(listed.Verbose, v => v.Message.StartsWith("1 ledger entry match in " + Home.Ledger, StringComparison.Ordinal));
        Assert.Contains(read.Verbose, v => v.Message == $"Read job {id} from core.today: Succeeded.");
    }

    [Fact]
    public void Holding_rows_back_for_the_cap_on_submissions_is_not_called_a_rate_limit()
    {
        WriteCsv("rows.csv", "prompt", Enumerable.Range(1, 20).Select(i => $"A paper crane number {i}"));
        Connect();
        Emulator.SetFaults("create:slow=1:600");

        var result = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        var held = result.Progress.Where(p => p.Activity == "Submitting Hailuo videos" && p.RecordType != System.Management.Automation.ProgressRecordType.Completed).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, p => Assert.DoesNotContain("rate limit", p.StatusDescription, StringComparison.OrdinalIgnoreCase));
        Assert.All(held, p => Assert.Contains("submissions under way", p.StatusDescription));
    }
}

using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Pipeline;

/// <summary>Ctrl+C while creates are in flight: the creates already sent are answered and recorded, none is left "unknown".</summary>
public sealed class SubmitStopTests : RunspaceTest
{
    [Fact]
    public void Stopping_while_creates_are_answered_slowly_records_every_paid_job_and_a_re_run_pays_for_none_of_them()
    {
        WriteCsv("rows.csv", "prompt", Enumerable.Range(1, 20).Select(i => $"A paper crane number {i}"));
        Connect();
        // Each create is made at once, then its answer is held back for a second.
        Emulator.SetFaults("create:hold=1:1000");

        using (var run = Session.Start("Import-Csv rows.csv | New-HailuoVideo"))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Emulator.Count("creates") < 8 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            run.Stop();
        }
        Emulator.SetFaults("");
        var paid = Emulator.Count("creates");

        var unknown = Run("Get-HailuoJob -Status Unknown").AssertNoErrors();
        var rerun = Run("Import-Csv rows.csv | New-HailuoVideo").AssertNoErrors();

        Assert.True(paid >= 8, $"Only {paid} creates were made before the stop.");
        Assert.Empty(unknown.Output);
        Assert.Equal(20, rerun.Output.Count);
        Assert.Equal(20, Emulator.Count("creates"));
        Assert.Equal(0, Emulator.Count("duplicateCreates"));
    }
}

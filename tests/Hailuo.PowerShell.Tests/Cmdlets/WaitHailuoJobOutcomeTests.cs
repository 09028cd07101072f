using System.Management.Automation;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>A job that failed is the job's outcome: an object from Wait-HailuoJob, and one error in the whole pipeline.</summary>
public sealed class WaitHailuoJobOutcomeTests : RunspaceTest
{
    [Fact]
    public void A_failed_job_is_written_as_an_object_and_not_as_an_error()
    {
        Connect();
        Emulator.SetFaultRules(new { kind = "ContentFilter", operation = "Create", times = 1 });

        var result = Run("New-HailuoVideo 'A storm at sea' | Wait-HailuoJob").AssertNoErrors();

        var job = Assert.Single(result.Output);
        Assert.Equal("Failed", job.Properties["Status"].Value);
        Assert.False(string.IsNullOrEmpty((string?)job.Properties["Error"].Value));
        Assert.False(string.IsNullOrEmpty((string?)job.Properties["RecommendedAction"].Value));
    }

    [Fact]
    public void A_refused_row_is_one_error_in_the_whole_pipeline_and_stopping_on_it_loses_no_finished_video()
    {
        WriteCsv("rows.csv", "prompt", "Row one", "Row two", "Row three", "Row four", "Row five", "Row six", "Row seven");
        Connect();
        Emulator.SetFaultRules(new { kind = "ContentFilter", operation = "Create", times = 1 });

        var result = Run("""
            $ErrorActionPreference = 'Stop'
            try { Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos } catch { $_ }
            """);

        Assert.Empty(result.Errors);
        var error = Assert.Single(result.Objects<ErrorRecord>());
        Assert.StartsWith("Hailuo.NothingToSave", error.FullyQualifiedErrorId);
        Assert.Equal(6, Videos().Length);
    }
}

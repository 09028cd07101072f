using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Sessions;

/// <summary>
/// Two runspaces connected with the same key share one account (one tracker, one transport): the engine's lines about
/// a job still reach only the pipeline that waits for it.
/// </summary>
public sealed class SharedAccountLogTests : RunspaceTest
{
    /// <summary>A 1080p job takes about 4 s here and a 768p one about 2 s; every other status read fails with a 503.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options)
    {
        options.GenerationSeconds["1080p-6s"] = 4_000;
        options.GenerationSeconds["768p-6s"] = 2_000;
        options.Faults = "coretoday/status:5xx=0.5";
    }

    [Fact]
    public void Each_pipeline_of_a_shared_account_hears_only_about_its_own_jobs_retries()
    {
        Connect();
        using var other = ModuleRunspace.Open(Home.Work);
        other.Run("param($Url, $Key) Connect-Hailuo -Provider CoreToday -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist",
            new { Url = Emulator.BaseUri(), Key = EmulatorHost.Key }).AssertNoErrors();

        // The first pipeline makes the account's tracker, and stays until its longer job is saved.
        using var first = Session.Start("New-HailuoVideo 'A lighthouse in a storm' -Resolution 1080p -Wait -Path ./first -Verbose");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Emulator.Count("creates") < 1 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        var second = other.Run("New-HailuoVideo 'A paper boat in a gutter' -Verbose | Wait-HailuoJob -Verbose | Save-HailuoVideo -Path ./second -Verbose")
            .AssertNoErrors();
        var firstResult = first.Wait(TimeSpan.FromSeconds(120)).AssertNoErrors();

        var ids = Run("Get-HailuoJob").AssertNoErrors().Output
            .ToDictionary(j => (string)j.Properties["Prompt"].Value, j => (string)j.Properties["Id"].Value, StringComparer.Ordinal);
        var (mine, theirs) = (ids["A lighthouse in a storm"], ids["A paper boat in a gutter"]);
        var firstLines = firstResult.Verbose.Select(v => v.Message).ToList();
        var secondLines = second.Verbose.Select(v => v.Message).ToList();

        Assert.Contains(firstLines, line => line.Contains("retry", StringComparison.Ordinal) && line.Contains("/predictions/" + mine, StringComparison.Ordinal));
        Assert.Contains(secondLines, line => line.Contains("retry", StringComparison.Ordinal) && line.Contains("/predictions/" + theirs, StringComparison.Ordinal));
        Assert.DoesNotContain(firstLines, line => line.Contains(theirs, StringComparison.Ordinal));
        Assert.DoesNotContain(secondLines, line => line.Contains(mine, StringComparison.Ordinal));
    }
}

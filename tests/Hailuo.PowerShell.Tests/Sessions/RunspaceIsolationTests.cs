using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Sessions;

/// <summary>Connect-Hailuo belongs to the runspace: parallel runspaces in one process keep their own connection.</summary>
public sealed class RunspaceIsolationTests : RunspaceTest
{
    [Fact]
    public void ForEach_Object_Parallel_runspaces_each_connect_and_make_their_video()
    {
        var result = Run("""
            param($Manifest, $Url)
            1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
                Import-Module $using:Manifest
                Connect-Hailuo -Provider CoreToday -BaseUri $using:Url -ApiKey (ConvertTo-SecureString "parallel-key-$_" -AsPlainText -Force) -NoPersist
                New-HailuoVideo "A lantern number $_ floating on a lake" -Wait -Path ./parallel
                [pscustomobject]@{ Item = $_; Account = (Get-HailuoConnection).Account }
            }
            """, new { Manifest = RepoPaths.Manifest, Url = Emulator.BaseUri() }).AssertNoErrors();

        Assert.Equal(4, result.Objects<FileInfo>().Count());
        var accounts = result.Output.Where(o => o.Properties["Account"] is not null).Select(o => (string)o.Properties["Account"].Value).ToList();
        Assert.Equal(4, accounts.Distinct().Count());
        Assert.Equal(4, Emulator.Count("creates"));
    }

    [Fact]
    public void Connecting_in_one_runspace_leaves_a_batch_in_another_running_and_shows_it_nothing()
    {
        Connect();
        using var other = ModuleRunspace.Open(Home.Work);
        File.WriteAllText(Home.File("ten.csv"), "prompt\n" + string.Join("\n", Enumerable.Range(1, 10).Select(i => $"A paper crane number {i}")) + "\n");

        // A slow clock keeps the batch's jobs running while the other runspace connects.
        using var batch = Session.Start("Import-Csv ten.csv | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./batch");
        Thread.Sleep(200);
        other.Run("param($Url) Connect-Hailuo -Provider Replicate -BaseUri $Url -ApiKey (ConvertTo-SecureString 'the-other-key-123' -AsPlainText -Force) -NoPersist",
            new { Url = Emulator.BaseUri("Replicate") }).AssertNoErrors();
        var seenByOther = other.Run("Get-HailuoConnection").AssertNoErrors().Output.Single();
        var result = batch.Wait(TimeSpan.FromSeconds(120)).AssertNoErrors();

        Assert.Equal(10, result.Objects<FileInfo>().Count());
        Assert.Equal("Replicate", seenByOther.Properties["Provider"].Value);
        Assert.Contains("/replicate/", seenByOther.Properties["BaseUri"].Value.ToString());
        var mine = Run("Get-HailuoConnection").AssertNoErrors().Output.Single();
        Assert.Equal("CoreToday", mine.Properties["Provider"].Value);
        Assert.NotEqual(mine.Properties["Account"].Value, seenByOther.Properties["Account"].Value);
    }
}

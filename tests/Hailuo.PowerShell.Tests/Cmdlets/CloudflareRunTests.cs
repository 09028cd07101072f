using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>
/// The main line on Cloudflare, whose documented run answers with the finished video: every video is saved, nothing is
/// polled; and since that answer is the only one with the video's link, the ledger keeps it for a save that comes later.
/// </summary>
public sealed class CloudflareRunTests : RunspaceTest
{
    protected override void ConfigureEmulator(EmulatorOptions options) => options.TimeScale = 0.01;

    [Fact]
    public void The_main_line_saves_every_video_cloudflares_runs_answered_with_and_asks_nothing_more()
    {
        Run("param($Url, $Key) Connect-Hailuo Cloudflare -BaseUri $Url -CloudflareAccountId acc-test -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist",
            new { Url = Emulator.BaseUri("Cloudflare"), Key = EmulatorHost.Key }).AssertNoErrors();

        var result = Run("1..6 | ForEach-Object { \"Fireworks over the bay, take $_\" } | New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo -Path ./videos").AssertNoErrors();

        Assert.Equal(6, result.Output.Count);
        Assert.Equal(6, Videos().Length);
        Assert.Equal(6, Emulator.Count("creates", ProviderNames.Cloudflare));
        Assert.Equal(0, Emulator.Count("statusPolls", ProviderNames.Cloudflare));
        Assert.Equal(0, Emulator.Count("invalidRequests", ProviderNames.Cloudflare));
    }

    private void ConnectCloudflare(ModuleRunspace session) =>
        session.Run("param($Url, $Key) Connect-Hailuo Cloudflare -BaseUri $Url -CloudflareAccountId acc-test -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -NoPersist",
            new { Url = Emulator.BaseUri("Cloudflare"), Key = EmulatorHost.Key }).AssertNoErrors();

    private void AssertOneMp4(string folder)
    {
        var file = Home.File(Path.Combine(folder, Assert.Single(Videos(folder))));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file), 4, 4));
    }

    [Fact]
    public void A_video_one_session_waited_for_is_saved_by_a_fresh_session_from_the_ledger()
    {
        string id;
        using (var first = ModuleRunspace.Open(Home.Work))
        {
            ConnectCloudflare(first);
            var waited = first.Run("New-HailuoVideo 'A heron in the reeds at dawn' | Wait-HailuoJob").AssertNoErrors();
            id = (string)waited.Output.Single().Properties["Id"].Value;
        }
        Assert.Empty(Videos());

        using var later = ModuleRunspace.Open(Home.Work);
        ConnectCloudflare(later);
        var saved = later.Run("param($Id) Get-HailuoJob -Id $Id | Save-HailuoVideo -Path ./videos", new { Id = id }).AssertNoErrors();
        var again = later.Run("param($Id) Save-HailuoVideo -Id $Id -Path ./again", new { Id = id }).AssertNoErrors();
        var rerun = later.Run("New-HailuoVideo 'A heron in the reeds at dawn' | Save-HailuoVideo -Path ./rerun").AssertNoErrors();

        Assert.Single(saved.Objects<FileInfo>());
        Assert.Single(again.Objects<FileInfo>());
        AssertOneMp4("videos");
        AssertOneMp4("again");
        AssertOneMp4("rerun");
        Assert.Single(rerun.Objects<FileInfo>());
        Assert.Equal(1, Emulator.Count("creates", ProviderNames.Cloudflare));
        Assert.Equal(0, Emulator.Count("statusPolls", ProviderNames.Cloudflare));
    }

    [Fact]
    public void A_save_that_failed_after_the_wait_succeeds_when_run_again_and_nothing_is_paid_twice()
    {
        // A file where the folder should be: the save fails after the video was made and paid for.
        File.WriteAllText(Home.File("blocked"), "not a folder");
        using (var first = ModuleRunspace.Open(Home.Work))
        {
            ConnectCloudflare(first);
            var failed = first.Run("New-HailuoVideo 'A kite over the dunes' | Wait-HailuoJob | Save-HailuoVideo -Path ./blocked");
            var error = failed.SingleError();
            Assert.Contains("Cannot write to", error.Exception.Message);
            // The advice is about the folder, and says the paid video is not lost, not that "nothing was charged".
            Assert.Contains("not paid for again", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("nothing was charged", error.ErrorDetails.RecommendedAction);
            Assert.Empty(failed.Objects<FileInfo>());
        }
        File.Delete(Home.File("blocked"));

        using var later = ModuleRunspace.Open(Home.Work);
        ConnectCloudflare(later);
        var retried = later.Run("Get-HailuoJob | Save-HailuoVideo -Path ./blocked").AssertNoErrors();

        Assert.Single(retried.Objects<FileInfo>());
        AssertOneMp4("blocked");
        Assert.Equal(1, Emulator.Count("creates", ProviderNames.Cloudflare));
    }
}

using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>The main line on Cloudflare, whose documented run answers with the finished video: every video is saved, nothing is polled.</summary>
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
}

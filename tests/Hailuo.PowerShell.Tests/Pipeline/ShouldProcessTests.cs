using System.Management.Automation.Host;
using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Pipeline;

/// <summary>
/// The cmdlets that spend money or cancel work ask first: -WhatIf sends nothing, ConfirmImpact Medium asks when
/// $ConfirmPreference is Medium, and -Confirm:$false does not ask. This host cannot ask, so asking is an error.
/// </summary>
public sealed class ShouldProcessTests : RunspaceTest
{
    /// <summary>768p 6 s jobs run for about 15 minutes here, so there is always one to cancel.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options) =>
        options.GenerationSeconds["768p-6s"] = 1_000_000;

    [Fact]
    public void New_HailuoVideo_WhatIf_sends_nothing_records_nothing_and_says_what_it_would_have_cost()
    {
        WriteCsv("rows.csv", "prompt", ["A lighthouse in a storm", "A paper boat in a gutter", "A chef slicing sushi"]);
        Connect();

        var result = Run("Import-Csv rows.csv | New-HailuoVideo -WhatIf").AssertNoErrors();

        Assert.Empty(result.Output);
        Assert.Equal(0, Emulator.Count("createRequests"));
        Assert.Equal("What if: 3 video(s) would be submitted, an estimated 1,260 credits on core.today. Nothing was sent.", Assert.Single(result.Warnings).Message);
        Assert.Empty(Run("Get-HailuoJob").AssertNoErrors().Output);
    }

    [Fact]
    public void WhatIfPreference_sends_nothing_either()
    {
        Connect();

        var result = Run("$WhatIfPreference = $true; New-HailuoVideo -Prompt 'A lighthouse in a storm'").AssertNoErrors();

        Assert.Empty(result.Output);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }

    [Fact]
    public void Stop_HailuoJob_WhatIf_cancels_nothing()
    {
        Connect();
        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A glacier calving'").AssertNoErrors().Output);

        var result = Run("param($Job) $Job | Stop-HailuoJob -WhatIf -PassThru", new { Job = job }).AssertNoErrors();

        Assert.Empty(result.Output);
        Assert.Equal(0, Emulator.Count("cancels"));
        Assert.NotEqual("Canceled", Emulator.JobStates()[job.Text("Id")!]);
    }

    [Theory]
    [InlineData("New-HailuoVideo -Prompt 'A lighthouse in a storm'")]
    [InlineData("$Job | Stop-HailuoJob")]
    public void With_ConfirmPreference_Medium_they_ask_and_a_host_that_cannot_ask_gets_nothing_done(string command)
    {
        Connect();
        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A glacier calving'").AssertNoErrors().Output);
        var creates = Emulator.Count("createRequests");

        var result = Run("param($Job) $ConfirmPreference = 'Medium'; " + command, new { Job = job });

        var error = result.SingleError();
        Assert.IsType<HostException>(error.Exception);
        Assert.Equal(creates, Emulator.Count("createRequests"));
        Assert.Equal(0, Emulator.Count("cancels"));
    }

    [Theory]
    [InlineData("New-HailuoVideo -Prompt 'A lighthouse in a storm' -Confirm:$false", "createRequests", 2)]
    [InlineData("$Job | Stop-HailuoJob -Confirm:$false", "cancels", 1)]
    public void Confirm_false_does_not_ask_even_with_ConfirmPreference_Medium(string command, string counter, long expected)
    {
        Connect();
        var job = Assert.Single(Run("New-HailuoVideo -Prompt 'A glacier calving'").AssertNoErrors().Output);

        Run("param($Job) $ConfirmPreference = 'Medium'; " + command, new { Job = job }).AssertNoErrors();

        Assert.Equal(expected, Emulator.Count(counter));
    }

    [Fact]
    public void With_the_default_ConfirmPreference_nothing_asks()
    {
        Connect();

        var result = Run("New-HailuoVideo -Prompt 'A lighthouse in a storm' | Stop-HailuoJob -PassThru").AssertNoErrors();

        Assert.Equal("Canceled", Assert.Single(result.Output).Text("Status"));
    }

    [Theory]
    [InlineData("New-HailuoVideo", true)]
    [InlineData("Stop-HailuoJob", true)]
    [InlineData("Get-HailuoJob", false)]
    [InlineData("Wait-HailuoJob", false)]
    [InlineData("Save-HailuoVideo", true)]
    [InlineData("Connect-Hailuo", false)]
    [InlineData("Disconnect-Hailuo", false)]
    [InlineData("Get-HailuoConnection", false)]
    public void Only_the_cmdlets_that_spend_cancel_or_write_files_take_WhatIf_and_Confirm(string cmdlet, bool expected)
    {
        var parameters = Run("param($Name) (Get-Command $Name).Parameters.Keys", new { Name = cmdlet }).AssertNoErrors()
            .Output.Select(o => (string)o.BaseObject).ToList();

        Assert.Equal(expected, parameters.Contains("WhatIf"));
        Assert.Equal(expected, parameters.Contains("Confirm"));
    }
}

using System.Management.Automation;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Hailuo.PowerShell.Tests.Hosting;

namespace Hailuo.PowerShell.Tests.Cmdlets;

/// <summary>The cap on jobs in flight, as users set it: New-HailuoVideo -ThrottleLimit, and Connect-Hailuo -ThrottleLimit for the connection.</summary>
public sealed class ThrottleLimitTests : RunspaceTest
{
    private const string SixRows = "1..6 | ForEach-Object { \"A kite over a hill, take $_\" }";

    /// <summary>Jobs of 0.3 to 0.9 s, and room at the provider for all of them at once: only the client's cap holds them back.</summary>
    protected override void ConfigureEmulator(EmulatorOptions options)
    {
        options.TimeScale = 0.01;
        options.Concurrency[ProviderNames.CoreToday] = 50;
    }

    /// <summary>The most jobs the emulator had running at once: a create while earlier ones had not completed.</summary>
    private int MostAtOnce()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Emulator.Url + "/") };
        var stats = http.GetFromJsonAsync<JsonObject>("_emulator/stats?jobs=true").GetAwaiter().GetResult();
        var jobs = stats!["providers"]![ProviderNames.CoreToday]!["jobs"]!.AsObject()
            .Select(j => (Created: DateTimeOffset.Parse(j.Value!["createdAt"]!.GetValue<string>()), Completed: DateTimeOffset.Parse(j.Value!["completedAt"]!.GetValue<string>())))
            .ToList();
        return jobs.Max(j => jobs.Count(o => o.Created <= j.Created && o.Completed > j.Created));
    }

    [Fact]
    public void New_HailuoVideo_ThrottleLimit_holds_the_jobs_in_flight_to_it()
    {
        Connect();

        var result = Run(SixRows + " | New-HailuoVideo -ThrottleLimit 2 | Wait-HailuoJob").AssertNoErrors();

        Assert.Equal(6, result.Output.Count);
        Assert.All(result.Output, job => Assert.Equal("Succeeded", job.Text("Status")));
        Assert.Equal(2, MostAtOnce());
    }

    [Fact]
    public void Without_it_the_providers_default_lets_the_whole_batch_run_at_once()
    {
        Connect();
        Assert.Equal(90, (int)Assert.Single(Run("Get-HailuoConnection").AssertNoErrors().Output).Property("ThrottleLimit")!);

        Run(SixRows + " | New-HailuoVideo | Wait-HailuoJob").AssertNoErrors();

        Assert.True(MostAtOnce() > 2, "with core.today's default of 90, six jobs run together");
    }

    [Fact]
    public void Connect_HailuoThrottleLimit_caps_the_connection_and_is_kept_for_the_next_session()
    {
        var connection = Assert.Single(Run(
            "param($Url, $Key) Connect-Hailuo -BaseUri $Url -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -ThrottleLimit 2 -PassThru",
            new { Url = Emulator.BaseUri(), Key = EmulatorHost.Key }).AssertNoErrors().Output);
        Assert.Equal(2, (int)connection.Property("ThrottleLimit")!);

        Run(SixRows + " | New-HailuoVideo | Wait-HailuoJob").AssertNoErrors();
        Assert.Equal(2, MostAtOnce());

        // A new session reads the saved settings: the limit, never the key.
        using var next = ModuleRunspace.Open(Home.Work);
        Assert.Equal(2, (int)Assert.Single(next.Run("Get-HailuoConnection").AssertNoErrors().Output).Property("ThrottleLimit")!);
    }

    [Theory]
    [InlineData("New-HailuoVideo -Prompt 'A kite' -ThrottleLimit 0")]
    [InlineData("Connect-Hailuo -ThrottleLimit 0 -NoPersist")]
    public void A_limit_under_one_is_refused_before_anything_is_sent(string command)
    {
        Connect();

        var error = Run(command).SingleError();

        Assert.StartsWith("ParameterArgumentValidationError", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("ThrottleLimit", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, Emulator.Count("createRequests"));
    }
}

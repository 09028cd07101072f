using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Ledger;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// Validation before spending, and the error for a missing key. The key kept out of everything written,
/// and the https and redirect rules, are the reliability suite's (Reliability/SecretHygieneTests, TransportTests).
/// </summary>
public sealed class SafetyTests
{
    public static TheoryData<string, HailuoProvider> InvalidRequests() => new()
    {
        { "empty prompt", HailuoProvider.CoreToday },
        { "long prompt", HailuoProvider.Replicate },
        { "1080p at 10 s", HailuoProvider.MiniMax },
        { "unknown model", HailuoProvider.CoreToday },
        { "fast without image", HailuoProvider.Replicate },
        { "missing image", HailuoProvider.MiniMax },
        { "fast_pretreatment on core.today", HailuoProvider.CoreToday },
        { "duration 8", HailuoProvider.Cloudflare },
        { "resolution 720p", HailuoProvider.Replicate },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_request_sends_nothing_and_pays_nothing(string rule, HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync();
        var client = h.Client(provider);
        var request = rule switch
        {
            "empty prompt" => new VideoRequest { Prompt = "  " },
            "long prompt" => new VideoRequest { Prompt = new string('x', 2001) },
            "1080p at 10 s" => new VideoRequest { Prompt = "x", Resolution = "1080p", Duration = 10 },
            "unknown model" => new VideoRequest { Prompt = "x", Model = "hailuo-9" },
            "fast without image" => new VideoRequest { Prompt = "x", Model = HailuoModels.Fast },
            "missing image" => new VideoRequest { Prompt = "x", FirstFrameImage = Path.Combine(h.Folder, "nope.png") },
            "fast_pretreatment on core.today" => new VideoRequest { Prompt = "x", FastPretreatment = true },
            "duration 8" => new VideoRequest { Prompt = "x", Duration = 8 },
            _ => new VideoRequest { Prompt = "x", Resolution = "720p" },
        };

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Equal(0, Count(await h.StatsAsync(provider), "requests"));
        Assert.Empty(client.Ledger!.List(new LedgerQuery()));
    }

    [Fact]
    public void Without_a_key_the_error_names_the_environment_variables()
    {
        var options = new HailuoClientOptions(HailuoProvider.Replicate)
        {
            BaseUri = new Uri("http://127.0.0.1:1/replicate/v1"),
            Credentials = new EnvironmentCredentialSource(_ => null),
            UseLedger = false,
        };
        var error = Assert.Throws<HailuoException>(() => new HailuoClient(options));
        Assert.Equal(HailuoErrorKind.Authentication, error.Error.Kind);
        Assert.Contains("REPLICATE_API_TOKEN", error.Message);
        Assert.Contains("HAILUO_API_KEY", error.Message);
    }
}

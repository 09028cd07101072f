using System.Text.Json.Nodes;
using Hailuo.Emulator;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>Every provider enforces the same input rules, each in its own error form, and charges nothing for a refused input.</summary>
public sealed class InputRulesEmulatorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in ProviderNames.All)
        {
            foreach (var rule in new[] { "no-prompt", "long-prompt", "duration-8", "1080p-10s", "wrong-casing", "http-image", "gif-image", "not-an-image", "huge-image", "unknown-field" })
            {
                data.Add(provider, rule);
            }
            if (provider != ProviderNames.Cloudflare)
            {
                data.Add(provider, "fast-without-image");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_broken_input_is_refused_in_the_providers_form_and_nothing_is_created(string provider, string rule)
    {
        await using var emu = await StartAsync();
        var upper = provider is ProviderNames.MiniMax or ProviderNames.Cloudflare;
        var input = new JsonObject { ["prompt"] = "A lighthouse in a storm" };
        var fast = false;
        string expectedField;
        switch (rule)
        {
            case "no-prompt": input.Remove("prompt"); expectedField = "prompt"; break;
            case "long-prompt": input["prompt"] = new string('a', 2001); expectedField = "2000"; break;
            case "duration-8": input["duration"] = 8; expectedField = "duration"; break;
            case "1080p-10s": input["duration"] = 10; input["resolution"] = upper ? "1080P" : "1080p"; expectedField = "10-second"; break;
            case "wrong-casing": input["resolution"] = upper ? "768p" : "768P"; expectedField = "resolution"; break;
            case "http-image": input["first_frame_image"] = "http://images.example/frame.png"; expectedField = "https"; break;
            case "gif-image": input["first_frame_image"] = "data:image/gif;base64,R0lGODlhAQABAAAAACw="; expectedField = "JPG, PNG or WebP"; break;
            case "not-an-image": input["first_frame_image"] = TestImages.DataUri("plain text, not pixels"u8.ToArray()); expectedField = "does not hold"; break;
            case "huge-image": input["first_frame_image"] = TestImages.DataUri(new byte[21 * 1024 * 1024]); expectedField = "20 MB"; break;
            case "unknown-field": input["negative_prompt"] = "blurry"; expectedField = "negative_prompt"; break;
            case "fast-without-image": fast = true; expectedField = "first_frame_image"; break;
            default: throw new ArgumentOutOfRangeException(nameof(rule));
        }

        var (status, body) = await SendAsync(emu, provider, input, fast);
        var message = body?.ToJsonString() ?? "";

        switch (provider)
        {
            case ProviderNames.CoreToday: Assert.Equal(400, status); break;
            case ProviderNames.Replicate: Assert.Equal(422, status); break;
            case ProviderNames.Cloudflare:
                Assert.Equal(400, status);
                Assert.Equal(5006, body!["errors"]![0]!["code"]!.GetValue<int>());
                break;
            case ProviderNames.MiniMax:
                Assert.Equal(200, status);
                Assert.Equal(2013, body!["base_resp"]!["status_code"]!.GetValue<int>());
                break;
        }
        Assert.Contains(expectedField, message);
        var stats = await emu.StatsAsync(provider);
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "invalidRequests"));
    }

    [Theory]
    [MemberData(nameof(ProvidersWithLocalImages))]
    public async Task A_valid_data_uri_image_is_accepted(string provider)
    {
        await using var emu = await StartAsync();
        var input = new JsonObject
        {
            ["prompt"] = "Slowly zoom in",
            ["first_frame_image"] = TestImages.DataUri(TestImages.Png(480, 360)),
        };
        var (status, _) = await SendAsync(emu, provider, input, fast: false);
        Assert.InRange(status, 200, 201);
        Assert.Equal(1, Count(await emu.StatsAsync(provider), "creates"));
    }

    public static TheoryData<string> ProvidersWithLocalImages() => new(ProviderNames.All);

    private static Task<(int Status, JsonNode? Body)> SendAsync(EmulatorHarness emu, string provider, JsonObject input, bool fast)
    {
        switch (provider)
        {
            case ProviderNames.CoreToday:
                return emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", provider,
                    new JsonObject { ["model"] = fast ? "minimax/hailuo-2.3-fast" : "minimax/hailuo-2.3", ["input"] = input });
            case ProviderNames.Replicate:
                return emu.SendAsync(HttpMethod.Post, $"replicate/v1/models/minimax/{(fast ? "hailuo-2.3-fast" : "hailuo-2.3")}/predictions", provider,
                    new JsonObject { ["input"] = input });
            case ProviderNames.MiniMax:
                input["model"] = fast ? "MiniMax-Hailuo-2.3-Fast" : "MiniMax-Hailuo-2.3";
                return emu.SendAsync(HttpMethod.Post, "minimax/v1/video_generation", provider, input);
            default:
                return emu.SendAsync(HttpMethod.Post, "cloudflare/client/v4/accounts/acc/ai/run/minimax/hailuo-2.3?queueRequest=true", provider, input);
        }
    }
}

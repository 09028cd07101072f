using System.Text.Json.Nodes;
using Hailuo.Emulator;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

public sealed class CloudflareEmulatorTests
{
    private const string P = ProviderNames.Cloudflare;
    private const string Run = "cloudflare/client/v4/accounts/acc123/ai/run/minimax/hailuo-2.3";

    [Fact]
    public async Task A_plain_run_holds_until_the_video_is_ready()
    {
        await using var emu = await StartAsync();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, Run, P, new { prompt = "A golden retriever", duration = 6, resolution = "768P" });
        Assert.Equal(200, status);
        Assert.True(body!["success"]!.GetValue<bool>());
        Assert.Empty(body["errors"]!.AsArray());
        var result = body["result"]!;
        Assert.Equal("Success", result["status"]!.GetValue<string>());
        Assert.NotEmpty(result["task_id"]!.GetValue<string>());
        await emu.DownloadVideoAsync(result["video"]!.GetValue<string>(), 1366, 768);
    }

    [Fact]
    public async Task The_generic_run_takes_model_and_input()
    {
        await using var emu = await StartAsync();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, "cloudflare/client/v4/accounts/acc123/ai/run", P,
            new { model = "minimax/hailuo-2.3", input = new { prompt = "Fireworks", resolution = "1080P", fast_pretreatment = true } });
        Assert.Equal(200, status);
        await emu.DownloadVideoAsync(body!["result"]!["video"]!.GetValue<string>(), 1920, 1080);
    }

    [Fact]
    public async Task A_queued_request_is_polled_by_posting_its_request_id()
    {
        await using var emu = await StartAsync();
        var (_, queued) = await emu.SendAsync(HttpMethod.Post, Run + "?queueRequest=true", P, new { prompt = "Fireworks over a city" });
        Assert.Equal("queued", queued!["result"]!["status"]!.GetValue<string>());
        var requestId = queued["result"]!["request_id"]!.GetValue<string>();

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Post, Run, P, new { request_id = requestId })).Body!,
            b => b["result"]!["status"]!.GetValue<string>() == "Success", "the queued request to finish");
        await emu.DownloadVideoAsync(done["result"]!["video"]!.GetValue<string>(), 1366, 768);

        var stats = await emu.StatsAsync(P);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.True(Count(stats, "statusPolls") >= 1, "a request_id body counts as a status poll, not a create");
    }

    [Theory]
    [InlineData("""{"prompt":"x","seed":42}""", "seed")]
    [InlineData("""{"prompt":"x","resolution":"768p"}""", "resolution")]
    [InlineData("""{"prompt":"x","duration":8}""", "duration")]
    [InlineData("""{"prompt":"x","fast_pretreatment":"yes"}""", "fast_pretreatment")]
    public async Task Input_is_checked_against_the_model_schema(string input, string field)
    {
        await using var emu = await StartAsync();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, Run, P, JsonNode.Parse(input));
        Assert.Equal(400, status);
        Assert.False(body!["success"]!.GetValue<bool>());
        var error = body["errors"]![0]!;
        Assert.Equal(5006, error["code"]!.GetValue<int>());
        Assert.Contains(field, error["message"]!.GetValue<string>());
        Assert.Equal(0, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task Auth_failures_come_in_the_envelope()
    {
        await using var emu = await StartAsync(o => o.ApiKey = "cf-token");
        var (status, body) = await emu.SendAsync(HttpMethod.Post, Run, P, new { prompt = "x" }, key: "other");
        Assert.Equal(401, status);
        Assert.Equal(10000, body!["errors"]![0]!["code"]!.GetValue<int>());
    }
}

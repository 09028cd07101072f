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
    public async Task The_batch_api_takes_a_requests_array_and_answers_its_request_id_with_the_responses()
    {
        await using var emu = await StartAsync();
        var (_, queued) = await emu.SendAsync(HttpMethod.Post, Run + "?queueRequest=true", P, JsonNode.Parse(
            """{"requests":[{"prompt":"Fireworks over a city","external_reference":"fireworks"},{"prompt":"A chef","resolution":"1080P"}]}"""));
        Assert.Equal(("queued", "minimax/hailuo-2.3"), (queued!["result"]!["status"]!.GetValue<string>(), queued["result"]!["model"]!.GetValue<string>()));
        var requestId = queued["result"]!["request_id"]!.GetValue<string>();

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Post, Run + "?queueRequest=true", P, new { request_id = requestId })).Body!,
            b => b["result"]!["responses"] is not null, "the batch to finish");
        var responses = done["result"]!["responses"]!.AsArray();
        Assert.Equal(2, responses.Count);
        Assert.Equal((0, true, "fireworks"), (responses[0]!["id"]!.GetValue<int>(), responses[0]!["success"]!.GetValue<bool>(), responses[0]!["external_reference"]!.GetValue<string>()));
        Assert.Equal("Success", responses[1]!["result"]!["status"]!.GetValue<string>());
        await emu.DownloadVideoAsync(responses[0]!["result"]!["video"]!.GetValue<string>(), 1366, 768);
        await emu.DownloadVideoAsync(responses[1]!["result"]!["video"]!.GetValue<string>(), 1920, 1080);

        var stats = await emu.StatsAsync(P);
        Assert.Equal(2, Count(stats, "creates"));
        Assert.True(Count(stats, "statusPolls") >= 1, "a request_id body counts as a status poll, not a create");
    }

    [Fact]
    public async Task A_request_id_posted_to_the_plain_run_is_input_the_model_does_not_take()
    {
        await using var emu = await StartAsync();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, Run, P, new { request_id = "1c2b7e4a-0000-4000-8000-000000000000" });
        Assert.Equal(400, status);
        Assert.Equal(5006, body!["errors"]![0]!["code"]!.GetValue<int>());
        Assert.Equal(0, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task A_single_input_sent_with_queueRequest_runs_as_a_plain_run_outside_the_batch_shape()
    {
        // As upstream for a model its Batch API does not list: the flag does not make a run answer early.
        await using var emu = await StartAsync();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, Run + "?queueRequest=true", P, new { prompt = "Fireworks over a city" });
        Assert.Equal(200, status);
        Assert.Equal("Success", body!["result"]!["status"]!.GetValue<string>());
        await emu.DownloadVideoAsync(body["result"]!["video"]!.GetValue<string>(), 1366, 768);
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

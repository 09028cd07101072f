using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

public sealed class CoreTodayEmulatorTests
{
    private const string P = ProviderNames.CoreToday;

    private static object Body(object input, string model = "minimax/hailuo-2.3") => new { model, input };

    [Fact]
    public async Task Create_poll_and_download_gives_a_768p_video()
    {
        await using var emu = await StartAsync();
        var (status, created) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P,
            Body(new { prompt = "Two firebenders face off in a dark alley", duration = 6, resolution = "768p", prompt_optimizer = true }));

        Assert.Equal(200, status);
        var id = created!["job_id"]!.GetValue<string>();
        Assert.Contains(created["status"]!.GetValue<string>(), new[] { "pending", "processing" });
        Assert.Equal("replicate", created["provider"]!.GetValue<string>());
        Assert.Null(created["result"]);

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", P)).Body!,
            b => b["status"]!.GetValue<string>() == "completed", "the job to complete");
        await emu.DownloadVideoAsync(done["result"]!.GetValue<string>(), 1366, 768);

        var stats = await emu.StatsAsync(P);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.True(Count(stats, "statusPolls") >= 1);
        Assert.Equal(1, Count(stats, "downloads"));
        Assert.True(stats["jobs"]![id]!["polls"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task The_second_documented_shape_uses_id_succeeded_and_an_output_list()
    {
        await using var emu = await StartAsync(o => o.CoreTodayShape = CoreTodayShape.Predictions);
        var (_, created) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = "A lighthouse", resolution = "1080p" }));
        var id = created!["id"]!.GetValue<string>();
        Assert.Null(created["job_id"]);

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", P)).Body!,
            b => b["status"]!.GetValue<string>() == "succeeded", "the job to succeed");
        var output = done["output"]!.AsArray();
        Assert.Single(output);
        await emu.DownloadVideoAsync(output[0]!.GetValue<string>(), 1920, 1080);
    }

    [Fact]
    public async Task Delete_cancels_a_running_job_and_a_cancelled_job_stays_cancelled()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        var (_, created) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = "Slow sunrise" }));
        var id = created!["job_id"]!.GetValue<string>();

        var (status, cancelled) = await emu.SendAsync(HttpMethod.Delete, $"coretoday/v1/predictions/{id}", P);
        Assert.Equal(200, status);
        Assert.Equal("cancelled", cancelled!["status"]!.GetValue<string>());
        var (_, again) = await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", P);
        Assert.Equal("cancelled", again!["status"]!.GetValue<string>());
        Assert.Null(again["result"]);
        Assert.Equal(1, Count(await emu.StatsAsync(P), "cancels"));
    }

    [Fact]
    public async Task Bearer_auth_is_accepted_as_well_as_X_API_Key()
    {
        await using var emu = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "coretoday/v1/predictions")
        {
            Content = JsonContent(Body(new { prompt = "A kite" })),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await emu.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_key_or_a_wrong_one_under_api_key_is_refused_with_401()
    {
        await using var emu = await StartAsync(o => o.ApiKey = "the-only-key");
        using (var anonymous = new HttpRequestMessage(HttpMethod.Post, "coretoday/v1/predictions") { Content = JsonContent(Body(new { prompt = "x" })) })
        using (var response = await emu.Http.SendAsync(anonymous))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("X-API-Key", await response.Content.ReadAsStringAsync());
        }
        var (status, body) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = "x" }), key: "wrong");
        Assert.Equal(401, status);
        Assert.Contains("Invalid API key", body!["error"]!.GetValue<string>());
        var (ok, _) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = "x" }), key: "the-only-key");
        Assert.Equal(200, ok);

        var stats = await emu.StatsAsync(P);
        Assert.Equal(2, Count(stats, "authFailures"));
        Assert.Equal(1, Count(stats, "creates"));
    }

    [Fact]
    public async Task A_local_image_can_be_uploaded_as_multipart()
    {
        await using var emu = await StartAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("minimax/hailuo-2.3-fast"), "model" },
            { new StringContent("""{"prompt":"Slowly zoom in","duration":6}"""), "input" },
        };
        var image = new ByteArrayContent(TestImages.Png(640, 480));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(image, "file:first_frame_image", "frame.png");
        using var request = Request(HttpMethod.Post, "coretoday/v1/predictions/upload", P);
        request.Content = form;

        using var response = await emu.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = body["job_id"]!.GetValue<string>();
        var job = (await emu.StatsAsync(P))["jobs"]![id];
        Assert.NotNull(job);
        var stats = await emu.StatsAsync(P);
        Assert.Equal(1, Count(stats, "uploads"));
        Assert.Equal(1, Count(stats, "creates"));
    }

    [Fact]
    public async Task An_upload_that_is_not_an_image_is_refused_and_not_charged()
    {
        await using var emu = await StartAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("minimax/hailuo-2.3"), "model" },
            { new StringContent("""{"prompt":"x"}"""), "input" },
            { new ByteArrayContent("GIF89a not allowed"u8.ToArray()), "first_frame_image", "frame.gif" },
        };
        using var request = Request(HttpMethod.Post, "coretoday/v1/predictions/upload", P);
        request.Content = form;
        using var response = await emu.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("JPG, PNG or WebP", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task Credits_run_out_after_the_balance_pays_for_its_videos()
    {
        await using var emu = await StartAsync(o => o.Credits = 840);
        for (var i = 0; i < 2; i++)
        {
            var (ok, _) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = $"video {i}" }));
            Assert.Equal(200, ok);
        }
        var (status, body) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, Body(new { prompt = "one too many" }));
        Assert.Equal(402, status);
        Assert.Equal(420, body!["credits_required"]!.GetValue<int>());
        Assert.Equal(2, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task The_completed_webhook_is_delivered()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var emu = await StartAsync();
        var (_, created) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", P, new
        {
            model = "minimax/hailuo-2.3",
            input = new { prompt = "Fireworks" },
            webhook = receiver.Url,
            webhook_events = new[] { "completed" },
        });
        var id = created!["job_id"]!.GetValue<string>();

        var received = await EventuallyAsync(() => Task.FromResult(receiver.Received.ToList()), r => r.Count >= 1, "the webhook");
        var hook = JsonNode.Parse(received[0].Body)!;
        Assert.Equal("completed", hook["event"]!.GetValue<string>());
        Assert.Equal(id, hook["job_id"]!.GetValue<string>());
        Assert.StartsWith(emu.BaseUrl, hook["result"]!.GetValue<string>());
        Assert.Equal("completed", received[0].Headers["X-CoreToday-Event"]);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

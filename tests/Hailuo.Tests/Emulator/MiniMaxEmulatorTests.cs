using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Microsoft.Extensions.Time.Testing;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

public sealed class MiniMaxEmulatorTests
{
    private const string P = ProviderNames.MiniMax;

    private static int Code(JsonNode body) => body["base_resp"]!["status_code"]!.GetValue<int>();

    private static Task<(int Status, JsonNode? Body)> CreateAsync(EmulatorHarness emu, object body, string key = Key) =>
        emu.SendAsync(HttpMethod.Post, "minimax/v1/video_generation", P, body, key);

    [Fact]
    public async Task Create_query_retrieve_and_download_gives_a_1080P_video()
    {
        await using var emu = await StartAsync();
        var (status, created) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "A chef preparing sushi", duration = 6, resolution = "1080P" });
        Assert.Equal(200, status);
        Assert.Equal(0, Code(created!));
        var taskId = created!["task_id"]!.GetValue<string>();

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"minimax/v1/query/video_generation?task_id={taskId}", P)).Body!,
            b => b["status"]!.GetValue<string>() == "Success", "the task to succeed");
        Assert.Equal(1920, done["video_width"]!.GetValue<int>());
        Assert.Equal(1080, done["video_height"]!.GetValue<int>());
        var fileId = done["file_id"]!.GetValue<string>();
        Assert.NotEmpty(fileId);

        var (_, retrieved) = await emu.SendAsync(HttpMethod.Get, $"minimax/v1/files/retrieve?file_id={fileId}", P);
        var file = retrieved!["file"]!;
        Assert.Equal(long.Parse(fileId), file["file_id"]!.GetValue<long>());
        Assert.Equal("video_generation", file["purpose"]!.GetValue<string>());
        var bytes = await emu.DownloadVideoAsync(file["download_url"]!.GetValue<string>(), 1920, 1080);
        Assert.Equal(file["bytes"]!.GetValue<long>(), bytes.Length);

        var stats = await emu.StatsAsync(P);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "retrieves"));
    }

    [Fact]
    public async Task A_new_task_is_Preparing_then_Queueing_while_the_slots_are_busy()
    {
        var clock = new FakeTimeProvider();
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 1;
            o.Concurrency[P] = 1;
            o.PreparingSeconds = 5;
            o.GenerationSeconds["768p-6s"] = 100;
        }, clock);
        var first = (await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "first" })).Body!["task_id"]!.GetValue<string>();
        var second = (await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "second" })).Body!["task_id"]!.GetValue<string>();

        async Task<string> StatusOf(string id) =>
            (await emu.SendAsync(HttpMethod.Get, $"minimax/v1/query/video_generation?task_id={id}", P)).Body!["status"]!.GetValue<string>();

        Assert.Equal("Processing", await StatusOf(first));
        Assert.Equal("Preparing", await StatusOf(second));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("Queueing", await StatusOf(second));
        // The first takes 90 to 110 s (10 % jitter); the second starts when it is done.
        clock.Advance(TimeSpan.FromSeconds(110));
        Assert.Equal("Success", await StatusOf(first));
        Assert.Equal("Processing", await StatusOf(second));
    }

    [Fact]
    public async Task Errors_are_HTTP_200_with_MiniMax_codes()
    {
        await using var emu = await StartAsync(o => o.ApiKey = "right-key");
        var valid = new { model = "MiniMax-Hailuo-2.3", prompt = "x" };

        using (var anonymous = new HttpRequestMessage(HttpMethod.Post, "minimax/v1/video_generation") { Content = new StringContent("{}") })
        using (var response = await emu.Http.SendAsync(anonymous))
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(1004, Code(JsonNode.Parse(await response.Content.ReadAsStringAsync())!));
        }
        Assert.Equal(2049, Code((await CreateAsync(emu, valid, key: "wrong-key")).Body!));
        Assert.Equal(2013, Code((await CreateAsync(emu, new { model = "MiniMax-Hailuo-9", prompt = "x" }, "right-key")).Body!));
        Assert.Equal(2013, Code((await emu.SendAsync(HttpMethod.Get, "minimax/v1/query/video_generation?task_id=404", P, key: "right-key")).Body!));
        Assert.Equal(0, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task The_sixth_create_in_a_minute_is_refused_with_1002()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, Code((await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = $"p{i}" })).Body!));
        }
        var (status, refused) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "p5" });
        Assert.Equal(200, status);
        Assert.Equal(1002, Code(refused!));
        var stats = await emu.StatsAsync(P);
        Assert.Equal(5, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "rateLimited"));
        // Another account has a budget of its own.
        Assert.Equal(0, Code((await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "p6" }, key: "another-account")).Body!));
    }

    [Fact]
    public async Task The_Fast_model_needs_a_first_frame_image()
    {
        await using var emu = await StartAsync();
        var (_, refused) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3-Fast", prompt = "zoom in" });
        Assert.Equal(2013, Code(refused!));
        Assert.Contains("first_frame_image", refused!["base_resp"]!["status_msg"]!.GetValue<string>());

        var (_, accepted) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3-Fast", prompt = "zoom in", first_frame_image = TestImages.DataUri(TestImages.Png(400, 400)) });
        Assert.Equal(0, Code(accepted!));
    }

    [Fact]
    public async Task Callbacks_start_with_the_challenge_then_post_each_status_change()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var emu = await StartAsync();
        var (_, created) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "rain", callback_url = receiver.Url });
        var taskId = created!["task_id"]!.GetValue<string>();

        var received = await EventuallyAsync(() => Task.FromResult(receiver.Received.ToList()), r => r.Count >= 3, "the challenge and two status posts");
        var bodies = received.Select(d => JsonNode.Parse(d.Body)!).ToList();
        Assert.NotNull(bodies[0]["challenge"]);
        Assert.Equal(["Processing", "Success"], bodies.Skip(1).Select(b => b["status"]!.GetValue<string>()));
        Assert.All(bodies.Skip(1), b => Assert.Equal(taskId, b["task_id"]!.GetValue<string>()));
        Assert.NotEmpty(bodies[2]["file_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_receiver_that_does_not_echo_the_challenge_gets_no_status_posts()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.EchoChallenges = false;
        await using var emu = await StartAsync();
        var (_, created) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "rain", callback_url = receiver.Url });
        var taskId = created!["task_id"]!.GetValue<string>();
        await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"minimax/v1/query/video_generation?task_id={taskId}", P)).Body!["status"]!.GetValue<string>(),
            s => s == "Success", "the task to succeed");
        await Task.Delay(200);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task MiniMax_has_no_cancel_endpoint()
    {
        await using var emu = await StartAsync();
        var (_, created) = await CreateAsync(emu, new { model = "MiniMax-Hailuo-2.3", prompt = "x" });
        var taskId = created!["task_id"]!.GetValue<string>();
        using var request = Request(HttpMethod.Delete, $"minimax/v1/video_generation/{taskId}", P);
        using var response = await emu.Http.SendAsync(request);
        Assert.True((int)response.StatusCode is 404 or 405);
        Assert.Equal(0, Count(await emu.StatsAsync(P), "cancels"));
    }
}

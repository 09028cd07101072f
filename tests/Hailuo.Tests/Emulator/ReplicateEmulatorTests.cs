using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Microsoft.Extensions.Time.Testing;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

public sealed class ReplicateEmulatorTests
{
    private const string P = ProviderNames.Replicate;
    private const string Create = "replicate/v1/models/minimax/hailuo-2.3/predictions";

    [Fact]
    public async Task Create_answers_201_then_get_and_download()
    {
        await using var emu = await StartAsync();
        var (status, created) = await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "A golden retriever", duration = 10, resolution = "768p" } });
        Assert.Equal(201, status);
        var id = created!["id"]!.GetValue<string>();
        Assert.Equal("minimax/hailuo-2.3", created["model"]!.GetValue<string>());
        Assert.Equal($"{emu.BaseUrl}/replicate/v1/predictions/{id}", created["urls"]!["get"]!.GetValue<string>());
        Assert.Contains(created["status"]!.GetValue<string>(), new[] { "starting", "processing" });

        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"replicate/v1/predictions/{id}", P)).Body!,
            b => b["status"]!.GetValue<string>() == "succeeded", "the prediction to succeed");
        Assert.NotNull(done["completed_at"]);
        Assert.True(done["metrics"]!["predict_time"]!.GetValue<double>() >= 30, "predict_time is reported in unscaled seconds (the published 30-90 s)");
        var bytes = await emu.DownloadVideoAsync(done["output"]!.GetValue<string>(), 1366, 768);
        Assert.True(bytes.Length > 60_000, "the 10-second clip is served for duration 10");
    }

    [Fact]
    public async Task Prefer_wait_holds_until_the_prediction_finishes()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 0.005);
        using var request = Request(HttpMethod.Post, Create, P, new { input = new { prompt = "A kite" } });
        request.Headers.Add("Prefer", "wait=30");
        using var response = await emu.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("succeeded", body["status"]!.GetValue<string>());
        Assert.StartsWith(emu.BaseUrl, body["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prefer_wait_returns_the_prediction_as_it_is_when_the_wait_ends()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        using var request = Request(HttpMethod.Post, Create, P, new { input = new { prompt = "A kite" } });
        request.Headers.Add("Prefer", "wait=1");
        using var response = await emu.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("processing", body["status"]!.GetValue<string>());
        Assert.Null(body["output"]);
    }

    [Fact]
    public async Task Cancel_marks_the_prediction_canceled()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        var (_, created) = await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "x" } });
        var id = created!["id"]!.GetValue<string>();
        var (status, canceled) = await emu.SendAsync(HttpMethod.Post, $"replicate/v1/predictions/{id}/cancel", P);
        Assert.Equal(200, status);
        Assert.Equal("canceled", canceled!["status"]!.GetValue<string>());
        Assert.Null(canceled["output"]);
    }

    [Fact]
    public async Task Errors_are_RFC_7807_problems()
    {
        await using var emu = await StartAsync(o => o.ApiKey = "r8_right");
        using (var request = Request(HttpMethod.Post, Create, P, new { input = new { prompt = "x" } }, key: "r8_wrong"))
        using (var response = await emu.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(401, problem["status"]!.GetValue<int>());
            Assert.NotNull(problem["title"]);
            Assert.NotNull(problem["detail"]);
        }
        var (status, invalid) = await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "x", fast_pretreatment = true } }, key: "r8_right");
        Assert.Equal(422, status);
        Assert.Equal("input.fast_pretreatment", invalid!["invalid_fields"]![0]!["field"]!.GetValue<string>());
        var (missing, _) = await emu.SendAsync(HttpMethod.Get, "replicate/v1/predictions/nope", P, key: "r8_right");
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Over_the_create_limit_a_429_carries_Retry_After_and_retry_after()
    {
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 1;
            o.RateLimits["replicate.create"] = 2;
        });
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(201, (await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = $"p{i}" } })).Status);
        }
        using var request = Request(HttpMethod.Post, Create, P, new { input = new { prompt = "p2" } });
        using var response = await emu.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter.TotalSeconds, 1, 60);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.InRange(body["retry_after"]!.GetValue<double>(), 0.001, 60);
        Assert.Equal(2, Count(await emu.StatsAsync(P), "creates"));
    }

    [Fact]
    public async Task Predictions_are_listed_newest_first_100_a_page_with_their_inputs()
    {
        await using var emu = await StartAsync(o => o.TimeScale = 1);
        var ids = new List<string>();
        for (var i = 0; i < 103; i++)
        {
            var (_, created) = await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = $"Scene {i}" } });
            ids.Add(created!["id"]!.GetValue<string>());
        }
        await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "Another account's" } }, key: "someone-else");

        var (status, first) = await emu.SendAsync(HttpMethod.Get, "replicate/v1/predictions", P);
        Assert.Equal(200, status);
        var page = first!["results"]!.AsArray();
        Assert.Equal(100, page.Count);
        Assert.Equal("Scene 102", page[0]!["input"]!["prompt"]!.GetValue<string>());
        var next = first["next"]!.GetValue<string>();
        Assert.StartsWith($"{emu.BaseUrl}/replicate/v1/predictions?", next);
        var (_, second) = await emu.SendAsync(HttpMethod.Get, next[(emu.BaseUrl.Length + 1)..], P);
        Assert.Null(second!["next"]);
        var listed = page.Concat(second["results"]!.AsArray()).Select(p => p!["id"]!.GetValue<string>()).ToList();
        // Every prediction of this account exactly once, newest first; none of the other account's.
        Assert.Equal(Enumerable.Reverse(ids), listed);
        Assert.Equal(2, Count(await emu.StatsAsync(P), "lists"));
    }

    [Fact]
    public async Task Listing_keeps_to_created_after_and_refuses_a_time_it_cannot_read()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emu = await StartAsync(o => o.TimeScale = 1, clock);
        await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "Before" } });
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var since = clock.GetUtcNow().ToString("O");
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var (_, after) = await emu.SendAsync(HttpMethod.Post, Create, P, new { input = new { prompt = "After" } });

        var (_, listed) = await emu.SendAsync(HttpMethod.Get, "replicate/v1/predictions?created_after=" + Uri.EscapeDataString(since), P);
        Assert.Equal([after!["id"]!.GetValue<string>()], listed!["results"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));
        var (status, problem) = await emu.SendAsync(HttpMethod.Get, "replicate/v1/predictions?created_after=yesterday", P);
        Assert.Equal(400, status);
        Assert.Contains("created_after", problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhooks_are_signed_over_id_timestamp_and_body()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var emu = await StartAsync();
        var (_, secretBody) = await emu.SendAsync(HttpMethod.Get, "replicate/v1/webhooks/default/secret", P);
        var secret = secretBody!["key"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret);

        await emu.SendAsync(HttpMethod.Post, Create, P, new
        {
            input = new { prompt = "A kite" },
            webhook = receiver.Url,
            webhook_events_filter = new[] { "start", "completed" },
        });
        var received = await EventuallyAsync(() => Task.FromResult(receiver.Received.ToList()), r => r.Count >= 2, "start and completed webhooks");

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        foreach (var delivery in received)
        {
            var id = delivery.Headers["webhook-id"];
            var timestamp = delivery.Headers["webhook-timestamp"];
            var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{delivery.Body}")));
            Assert.Equal(expected, delivery.Headers["webhook-signature"]);
        }
        Assert.Equal(["processing", "succeeded"], received.Select(d => JsonNode.Parse(d.Body)!["status"]!.GetValue<string>()));
    }
}

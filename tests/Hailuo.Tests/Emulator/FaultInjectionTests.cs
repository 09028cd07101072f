using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>Each fault kind, seen from the client's side and in the stats.</summary>
public sealed class FaultInjectionTests
{
    private const string CT = ProviderNames.CoreToday;
    private const string MM = ProviderNames.MiniMax;
    private const string RP = ProviderNames.Replicate;

    [Theory]
    [InlineData(ProviderNames.CoreToday)]
    [InlineData(ProviderNames.MiniMax)]
    [InlineData(ProviderNames.Replicate)]
    [InlineData(ProviderNames.Cloudflare)]
    public async Task A_5xx_answers_503_in_the_providers_own_form_and_creates_nothing(string provider)
    {
        await using var emu = await StartAsync(o => o.Faults = $"{provider}/create:5xx=1");
        var (path, body) = CreateCall(provider);
        using var request = Request(HttpMethod.Post, path, provider, body);
        using var response = await emu.Http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        switch (provider)
        {
            case ProviderNames.CoreToday:
                Assert.Contains("unavailable", json["error"]!.GetValue<string>());
                break;
            case ProviderNames.MiniMax:
                Assert.Equal(1000, json["base_resp"]!["status_code"]!.GetValue<int>());
                Assert.Equal("", json["task_id"]!.GetValue<string>());
                break;
            case ProviderNames.Replicate:
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
                Assert.Equal(503, json["status"]!.GetValue<int>());
                Assert.Equal("Service Unavailable", json["title"]!.GetValue<string>());
                break;
            case ProviderNames.Cloudflare:
                Assert.False(json["success"]!.GetValue<bool>());
                Assert.Equal(3043, json["errors"]![0]!["code"]!.GetValue<int>());
                break;
        }

        var stats = await emu.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "faultsInjected"));
        Assert.Equal(1, FaultCount(stats, "ServerError"));
    }

    [Fact]
    public async Task A_5xx_burst_of_3_fired_once_gives_exactly_three_503s_then_success()
    {
        await using var emu = await StartAsync();
        var (id, _) = await CompletedCoreTodayJobAsync(emu);
        await emu.SetFaultsAsync(new[]
        {
            new FaultRule { Kind = FaultKind.ServerError, Probability = 1, Parameter = 3, Times = 1, Provider = CT, Operation = Operation.Status },
        });

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CT)).Status);
        }

        Assert.Equal([503, 503, 503, 200, 200, 200], statuses);
        var stats = await emu.StatsAsync(CT);
        Assert.Equal(3, FaultCount(stats, "ServerError"));
        Assert.Equal(3, Count(stats, "faultsInjected"));
    }

    [Fact]
    public async Task A_429_from_core_today_carries_Retry_After_and_retry_after()
    {
        // At time scale 1 the fault's 30 emulated seconds are 30 real ones, so both numbers are exact.
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 1;
            o.Faults = "coretoday/status:429=1:30";
        });
        using var request = Request(HttpMethod.Get, "coretoday/v1/predictions/job_none", CT);
        using var response = await emu.Http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(30, json["retry_after"]!.GetValue<double>());
        Assert.Contains("Rate limit", json["error"]!.GetValue<string>());

        var stats = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(stats, "rateLimited"));
        Assert.Equal(1, FaultCount(stats, "RateLimit"));
    }

    [Theory]
    [InlineData(ProviderNames.CoreToday, 429, "30", "error", "Rate limit")]
    [InlineData(ProviderNames.MiniMax, 200, null, "base_resp.status_code", "1002")]
    [InlineData(ProviderNames.Replicate, 429, "30", "detail", "throttled")]
    [InlineData(ProviderNames.Cloudflare, 429, "30", "errors.0.code", "971")]
    public async Task A_429_on_a_create_is_in_the_providers_own_form_and_creates_nothing(
        string provider, int status, string? retryAfter, string field, string expected)
    {
        // At time scale 1 the fault's 30 emulated seconds are 30 real ones, so the header is exact.
        await using var emu = await StartAsync(o =>
        {
            o.TimeScale = 1;
            o.Faults = $"{provider}/create:429=1:30";
        });
        var (path, body) = CreateCall(provider);
        using var request = Request(HttpMethod.Post, path, provider, body);
        using var response = await emu.Http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(retryAfter, response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null);
        Assert.Contains(expected, Field(json, field));
        var stats = await emu.StatsAsync(provider);
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Equal(1, Count(stats, "rateLimited"));
        Assert.Equal(1, FaultCount(stats, "RateLimit"));
    }

    [Theory]
    [InlineData(ProviderNames.CoreToday, 402, "error", "Insufficient credits")]
    [InlineData(ProviderNames.MiniMax, 200, "base_resp.status_code", "1008")]
    [InlineData(ProviderNames.Replicate, 402, "title", "Insufficient credit")]
    [InlineData(ProviderNames.Cloudflare, 429, "errors.0.code", "3036")]
    public async Task A_credits_fault_refuses_the_create_in_the_providers_own_form(string provider, int status, string field, string expected)
    {
        await using var emu = await StartAsync(o => o.Faults = $"{provider}/credits=1");
        var (path, body) = CreateCall(provider, "Gold coins");
        var (answered, json) = await emu.SendAsync(HttpMethod.Post, path, provider, body);

        Assert.Equal(status, answered);
        Assert.Contains(expected, Field(json!, field));
        var stats = await emu.StatsAsync(provider);
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Equal(1, FaultCount(stats, "Credits"));
    }

    [Theory]
    [InlineData(ProviderNames.CoreToday, "error", "safety filter")]
    [InlineData(ProviderNames.MiniMax, "base_resp.status_code", "1027")]
    [InlineData(ProviderNames.Replicate, "error", "E005")]
    public async Task A_filtered_job_is_created_then_ends_failed_in_the_providers_own_form_without_a_video(string provider, string field, string expected)
    {
        await using var emu = await StartAsync(o => o.Faults = $"{provider}/filter=1");
        var (path, body) = CreateCall(provider, "Something flagged");
        var (status, created) = await emu.SendAsync(HttpMethod.Post, path, provider, body);
        Assert.True(status is 200 or 201, $"the create answered {status}");

        var (id, failed) = await FailedJobAsync(emu, provider, created!);

        Assert.Contains(expected, Field(failed, field));
        Assert.Null(VideoOf(provider, failed));
        var stats = await emu.StatsAsync(provider);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal("Failed", Jobs(stats)[id]!["status"]!.GetValue<string>());
        Assert.Equal(1, FaultCount(stats, "ContentFilter"));
    }

    [Fact]
    public async Task A_reset_breaks_the_connection_before_anything_is_created()
    {
        await using var emu = await StartAsync(o => o.Faults = "coretoday/create:reset=1");
        using var request = Request(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("Rain on a window"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendFreshAsync(emu, request));

        var stats = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Empty(Jobs(stats));
        Assert.Equal(1, FaultCount(stats, "Reset"));

        // The server itself is fine: without the fault the same create goes through.
        await emu.SetFaultsAsync("");
        var (status, _) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("Rain on a window"));
        Assert.Equal(200, status);
        Assert.Equal(1, Count(await emu.StatsAsync(CT), "creates"));
    }

    [Fact]
    public async Task A_drop_loses_the_answer_but_the_job_was_created_and_paid()
    {
        await using var emu = await StartAsync(o =>
        {
            o.Faults = "coretoday/create:drop=1";
            o.Credits = 420;
        });
        using var request = Request(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("Rain on a window"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendFreshAsync(emu, request));

        var stats = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(stats, "createRequests"));
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(1, FaultCount(stats, "Drop"));
        var id = Assert.Single(Jobs(stats)).Key;

        // The lost job runs to completion, and the balance it used is gone.
        await CoreTodayJobAsync(emu, id, "completed");
        await emu.SetFaultsAsync("");
        var (status, body) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("Rain on a window"));
        Assert.Equal(402, status);
        Assert.Equal(420, body!["credits_required"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_slow_answer_arrives_no_sooner_than_its_delay_and_is_otherwise_normal()
    {
        const int delayMs = 300;
        await using var emu = await StartAsync(o => o.Faults = $"coretoday/create:slow=1:{delayMs}");

        var clock = Stopwatch.StartNew();
        var (status, body) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("A slow tide"));
        clock.Stop();

        // The server holds the reply with Task.Delay, whose timer ticks in whole milliseconds.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(delayMs - 2), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(200, status);
        Assert.StartsWith("job_", body!["job_id"]!.GetValue<string>());
        var stats = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(1, FaultCount(stats, "Slow"));
    }

    [Fact]
    public async Task A_held_answer_comes_late_but_the_job_exists_before_it_does()
    {
        await using var emu = await StartAsync(o => o.Faults = "coretoday/create:hold=1:400");

        var create = emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("A held breath"));
        // The job is made at once; only its answer waits: what a client that dies meanwhile never learns.
        var made = await EventuallyAsync(() => emu.StatsAsync(CT), s => Count(s, "creates") == 1, "the job to be made");
        Assert.False(create.IsCompleted, "the answer came before its hold was over");
        var (status, body) = await create;

        Assert.Equal(200, status);
        Assert.Equal(Assert.Single(Jobs(made)).Key, body!["job_id"]!.GetValue<string>());
        Assert.Equal(1, FaultCount(await emu.StatsAsync(CT), "Hold"));
    }

    [Fact]
    public async Task A_truncated_JSON_reply_cannot_be_read_whole()
    {
        await using var emu = await StartAsync();
        var (id, _) = await CompletedCoreTodayJobAsync(emu);
        await emu.SetFaultsAsync("coretoday/status:truncate=1");

        using var request = Request(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CT);
        using var response = await SendFreshAsync(emu, request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength > 0);

        var error = await Record.ExceptionAsync(() => response.Content.ReadAsByteArrayAsync());
        Assert.True(error is IOException or HttpRequestException, $"expected a broken body, got {error?.GetType().Name ?? "the whole body"}");
        Assert.Equal(1, FaultCount(await emu.StatsAsync(CT), "Truncate"));
    }

    [Fact]
    public async Task A_truncated_download_delivers_fewer_bytes_than_its_Content_Length()
    {
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 1e6);
        var (_, url) = await CompletedCoreTodayJobAsync(emu);
        await emu.SetFaultsAsync("download:truncate=1");

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await SendFreshAsync(emu, request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var declared = response.Content.Headers.ContentLength!.Value;

        long received = 0;
        Exception? error = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16384];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                received += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            error = e;
        }

        Assert.NotNull(error);
        Assert.True(received < declared, $"received {received} of {declared} bytes");
        Assert.Equal(1, FaultCount(await emu.StatsAsync(CT), "Truncate"));

        // Without the fault the same link gives the whole file.
        await emu.SetFaultsAsync("");
        Assert.Equal(declared, (await emu.Http.GetByteArrayAsync(url)).LongLength);
    }

    [Fact]
    public async Task A_malformed_reply_is_a_200_whose_body_is_not_JSON()
    {
        await using var emu = await StartAsync(o => o.Faults = "coretoday/create:malformed=1");
        using var request = Request(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("Neon rain"));
        using var response = await emu.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(text);
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));

        // The damage is on the way out: the create itself happened.
        var stats = await emu.StatsAsync(CT);
        Assert.Equal(1, Count(stats, "creates"));
        Assert.Equal(1, FaultCount(stats, "Malformed"));
    }

    [Fact]
    public async Task A_MiniMax_input_filter_refuses_the_create_with_1026()
    {
        await using var emu = await StartAsync(o => o.Faults = "minimax/filter=1:1");
        var (status, body) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("Something flagged"));

        Assert.Equal(200, status);
        Assert.Equal(1026, body!["base_resp"]!["status_code"]!.GetValue<int>());
        Assert.Equal("", body["task_id"]!.GetValue<string>());
        var stats = await emu.StatsAsync(MM);
        Assert.Equal(0, Count(stats, "creates"));
        Assert.Equal(1, FaultCount(stats, "ContentFilter"));
    }

    [Fact]
    public async Task An_expire_fault_answers_403_for_a_link_that_is_otherwise_valid()
    {
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 1e6);
        var (_, url) = await CompletedCoreTodayJobAsync(emu);
        await emu.SetFaultsAsync("download:expire=1");

        using (var expired = await emu.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
            Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, FaultCount(await emu.StatsAsync(CT), "Expire"));

        await emu.SetFaultsAsync("");
        var bytes = await emu.DownloadVideoAsync(url, 1366, 768);
        Assert.NotEmpty(bytes);
    }

    [Fact]
    public async Task A_rule_limited_to_N_times_fires_exactly_N_times()
    {
        await using var emu = await StartAsync();
        await emu.SetFaultsAsync(new[]
        {
            new FaultRule { Kind = FaultKind.RateLimit, Probability = 0.5, Times = 3, Provider = CT, Operation = Operation.Status },
        });

        var statuses = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            statuses.Add((await emu.SendAsync(HttpMethod.Get, "coretoday/v1/predictions/job_missing", CT)).Status);
        }

        Assert.Equal(3, statuses.Count(s => s == 429));
        Assert.Equal(37, statuses.Count(s => s == 404));
        var stats = await emu.StatsAsync(CT);
        Assert.Equal(3, Count(stats, "faultsInjected"));
        Assert.Equal(3, FaultCount(stats, "RateLimit"));
        Assert.Equal(3, Count(stats, "rateLimited"));
        Assert.Equal(40, Count(stats, "statusPolls"));
    }

    [Fact]
    public async Task Faults_are_counted_by_kind_and_aimed_only_where_the_rule_says()
    {
        await using var emu = await StartAsync(o => o.Faults = "coretoday/status:5xx=1,coretoday/create:credits=1,minimax/status:429=1");

        var (create, _) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT, CoreTodayBody("x"));
        var (poll1, _) = await emu.SendAsync(HttpMethod.Get, "coretoday/v1/predictions/job_x", CT);
        var (poll2, _) = await emu.SendAsync(HttpMethod.Get, "coretoday/v1/predictions/job_x", CT);
        var (mmCreate, mmBody) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, MM, MiniMaxBody("x"));
        var (rpCreate, _) = await emu.SendAsync(HttpMethod.Post, ReplicateCreate, RP, ReplicateBody("x"));

        Assert.Equal([402, 503, 503], new[] { create, poll1, poll2 });
        Assert.Equal(0, mmBody!["base_resp"]!["status_code"]!.GetValue<int>());
        Assert.Equal(200, mmCreate);
        Assert.Equal(201, rpCreate);

        var ct = await emu.StatsAsync(CT);
        Assert.Equal(2, FaultCount(ct, "ServerError"));
        Assert.Equal(1, FaultCount(ct, "Credits"));
        Assert.Equal(3, Count(ct, "faultsInjected"));
        Assert.Equal(2, ct["faultsByKind"]!.AsObject().Count);
        var mm = await emu.StatsAsync(MM);
        Assert.Equal(0, Count(mm, "faultsInjected"));
        Assert.Empty(mm["faultsByKind"]!.AsObject());
        Assert.Equal(0, Count(await emu.StatsAsync(RP), "faultsInjected"));
    }

    [Fact]
    public async Task The_same_seed_spec_and_requests_give_the_same_faults_on_two_emulators()
    {
        const string spec = "coretoday/status:5xx=0.3,coretoday/status:429=0.3";
        var first = await FaultPatternAsync(seed: 7, spec);
        var second = await FaultPatternAsync(seed: 7, spec);
        var otherSeed = await FaultPatternAsync(seed: 8, spec);

        Assert.Equal(first.Statuses, second.Statuses);
        Assert.Equal(first.ByKind, second.ByKind);
        // The pattern is a real mix, not all one answer, and the counts match what the client saw.
        Assert.Contains(503, first.Statuses);
        Assert.Contains(429, first.Statuses);
        Assert.Contains(404, first.Statuses);
        Assert.Equal(first.Statuses.Count(s => s == 503), first.ByKind["ServerError"]);
        // Both kinds may be drawn for one request (5xx wins), so 429s seen are at most the RateLimit count.
        Assert.True(first.Statuses.Count(s => s == 429) <= first.ByKind["RateLimit"]);
        // The seed is what decides: another one gives another pattern.
        Assert.NotEqual(first.Statuses, otherSeed.Statuses);
    }

    private static async Task<(List<int> Statuses, Dictionary<string, long> ByKind)> FaultPatternAsync(int seed, string spec)
    {
        await using var emu = await StartAsync(o =>
        {
            o.Seed = seed;
            o.Faults = spec;
        });
        var statuses = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            statuses.Add((await emu.SendAsync(HttpMethod.Get, "coretoday/v1/predictions/job_missing", CT)).Status);
        }
        var byKind = (await emu.StatsAsync(CT))["faultsByKind"]!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        return (statuses, byKind);
    }
}

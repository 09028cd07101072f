using System.Net;
using System.Net.Http.Json;
using Hailuo.Emulator;
using Hailuo.Tests.Emulator;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Reliability;

/// <summary>The emulator's hostile answers, which the hostile-input catalog relies on: aimed, counted, used up.</summary>
public sealed class HostileAnswerFacilityTests
{
    private const string Create = "replicate/v1/models/minimax/hailuo-2.3/predictions";

    [Fact]
    public async Task An_answer_aimed_at_a_prompt_replaces_only_that_jobs_reads_as_many_times_as_set()
    {
        await using var h = await StartAsync();
        var (_, aimed) = await h.SendAsync(HttpMethod.Post, Create, ProviderNames.Replicate, new { input = new { prompt = "the aimed one" } });
        var (_, other) = await h.SendAsync(HttpMethod.Post, Create, ProviderNames.Replicate, new { input = new { prompt = "another one" } });
        using var set = await h.Http.PostAsJsonAsync("_emulator/hostile", new
        {
            answers = new[] { new { provider = "replicate", operation = "Status", promptContains = "aimed", times = 2, status = 200, contentType = "text/html", body = "<html>{id}</html>" } },
        });
        set.EnsureSuccessStatusCode();

        var otherRead = await ReadAsync(h, other!["id"]!.ToString());
        var reads = new[] { await ReadAsync(h, aimed!["id"]!.ToString()), await ReadAsync(h, aimed["id"]!.ToString()), await ReadAsync(h, aimed["id"]!.ToString()) };

        Assert.StartsWith("{", otherRead);
        Assert.Equal($"<html>{aimed["id"]}</html>", reads[0]);
        Assert.Equal(reads[0], reads[1]);
        Assert.StartsWith("{", reads[2]);
        Assert.Equal(2, Count(await h.StatsAsync(ProviderNames.Replicate), "hostileAnswers"));
    }

    [Fact]
    public async Task A_declared_length_longer_than_the_body_cuts_the_connection_and_a_shorter_one_cuts_the_body()
    {
        await using var h = await StartAsync();
        h.Server.State.Hostile.Add(new() { Operation = Hailuo.Emulator.Core.Operation.Other, Status = 200, Body = "0123456789", ContentLength = 4, Times = 1 });
        h.Server.State.Hostile.Add(new() { Operation = Hailuo.Emulator.Core.Operation.Other, Status = 200, Body = "0123456789", ContentLength = 100, Times = 1 });

        Assert.Equal("0123", await h.Http.GetStringAsync("replicate/v1/webhooks/default/secret"));
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Http.GetStringAsync("replicate/v1/webhooks/default/secret"));
    }

    [Fact]
    public async Task An_answer_that_cannot_be_given_is_refused_with_the_reason()
    {
        await using var h = await StartAsync();

        using var response = await h.Http.PostAsJsonAsync("_emulator/hostile", new { answers = new[] { new { provider = "openai", operation = "Create" } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown provider 'openai'", await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> ReadAsync(EmulatorHarness h, string id)
    {
        using var request = Request(HttpMethod.Get, "replicate/v1/predictions/" + id, ProviderNames.Replicate);
        using var response = await h.Http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}

using System.Net;
using Hailuo.Credentials;
using Hailuo.Models;
using Hailuo.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>Validation before spending, the key kept out of every message, and https and redirect rules.</summary>
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
    public async Task The_key_appears_in_no_message_log_ledger_or_file()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o.ApiKey = "a-different-key");
        var texts = new List<string>();
        foreach (var provider in Enum.GetValues<HailuoProvider>())
        {
            var client = h.Client(provider, o => o.MaxRetries = 1);
            texts.Add(client.ToString()!);
            texts.Add(new HailuoCredential(EngineHarness.Secret, "test").ToString());
            var refused = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(EngineHarness.Request("Auth fails")));
            texts.Add(refused.ToString());
            texts.Add(refused.Error.ToString() + refused.Error.RecommendedAction);
        }
        // The same with a key the emulator accepts, through faults.
        await using var ok = await EngineHarness.StartAsync();
        await ok.Emulator.SetFaultsAsync("create:drop=1");
        var good = ok.Client(HailuoProvider.CoreToday);
        texts.Add((await Assert.ThrowsAsync<HailuoException>(() => good.SubmitAsync(EngineHarness.Request("Dropped")))).ToString());
        await ok.Emulator.SetFaultsAsync("status:5xx=0.5,status:malformed=0.2");
        var job = await good.SubmitAsync(EngineHarness.Request("Noisy"));
        var done = await good.WaitAsync(job, TimeSpan.FromSeconds(30));
        texts.Add(done.ToString());
        await good.DownloadAsync(done, Path.Combine(ok.Folder, "video.mp4"));

        texts.AddRange(h.LogLines);
        texts.AddRange(ok.LogLines);
        foreach (var folder in new[] { h.Folder, ok.Folder })
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                texts.Add(await File.ReadAllTextAsync(file));
            }
        }
        Assert.NotEmpty(ok.LogLines);
        Assert.All(texts, text => Assert.DoesNotContain(EngineHarness.Secret, text));
    }

    [Theory]
    [InlineData("http://api.core.today/v1")]
    [InlineData("http://10.0.0.5:5080/coretoday/v1")]
    [InlineData("ftp://127.0.0.1/v1")]
    public void A_base_uri_that_is_not_https_is_refused_unless_loopback(string uri)
    {
        var options = new HailuoClientOptions { BaseUri = new Uri(uri), Credentials = new StaticCredentialSource(new HailuoCredential("k", "test")) };
        var error = Assert.Throws<HailuoException>(() => new HailuoClient(options));
        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Contains("https", error.Message);
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

    [Fact]
    public async Task The_key_does_not_follow_a_redirect_to_another_host()
    {
        var seen = new List<IHeaderDictionary>();
        await using var other = await StartServerAsync("127.0.0.1", context =>
        {
            lock (seen)
            {
                seen.Add(context.Request.Headers);
            }
            return context.Response.WriteAsJsonAsync(new { job_id = "j1", status = "processing" });
        });
        // "localhost" and "127.0.0.1" are different hosts to a client, like api.example and cdn.example.
        var otherUrl = other.Url.Replace("127.0.0.1", "localhost");
        await using var api = await StartServerAsync("127.0.0.1", context =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = otherUrl + context.Request.Path;
            return Task.CompletedTask;
        });
        var options = new HailuoClientOptions
        {
            BaseUri = new Uri(api.Url + "/v1"),
            Credentials = new StaticCredentialSource(new HailuoCredential(EngineHarness.Secret, "test")),
            UseLedger = false,
        };
        using var client = new HailuoClient(options);

        var job = await client.GetJobAsync("j1");

        Assert.Equal(JobStatus.Running, job.Status);
        lock (seen)
        {
            var headers = Assert.Single(seen);
            Assert.False(headers.ContainsKey("X-API-Key"));
            Assert.False(headers.ContainsKey("Authorization"));
        }
    }

    private sealed class LocalServer(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<LocalServer> StartServerAsync(string host, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return new LocalServer(app, address);
    }
}

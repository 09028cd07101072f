using System.Collections.Concurrent;
using Hailuo.Downloads;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Tests.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Downloads;

/// <summary>Reports on the calling thread, so a test sees (and can act on) every report as it happens.</summary>
public sealed class SyncProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}

public static class DownloadTestKit
{
    public const string CoreToday = ProviderNames.CoreToday;

    /// <summary>Retries without a backoff: the tests assert what happens, not how long it takes.</summary>
    public static DownloadOptions Fast(Action<DownloadOptions>? configure = null)
    {
        var options = new DownloadOptions { BackoffBase = TimeSpan.Zero, BackoffCap = TimeSpan.Zero };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Creates a core.today job, waits for it to complete and returns its id and video link.</summary>
    public static async Task<(string Id, Uri Url)> CompletedJobAsync(EmulatorHarness emu, string prompt = "A red kite over the sea")
    {
        var (status, created) = await emu.SendAsync(HttpMethod.Post, "coretoday/v1/predictions", CoreToday,
            new { model = "minimax/hailuo-2.3", input = new { prompt, duration = 6, resolution = "768p" } });
        Assert.Equal(200, status);
        var id = created!["job_id"]!.GetValue<string>();
        return (id, await ReadLinkAsync(emu, id));
    }

    /// <summary>Reads the job again: each read signs a fresh link, which is what RefreshSource does for real.</summary>
    public static async Task<Uri> ReadLinkAsync(EmulatorHarness emu, string id)
    {
        var done = await EventuallyAsync(
            async () => (await emu.SendAsync(HttpMethod.Get, $"coretoday/v1/predictions/{id}", CoreToday)).Body!,
            b => b["status"]!.GetValue<string>() == "completed", "the job to complete");
        return new Uri(done["result"]!.GetValue<string>());
    }

    public static async Task<long> StatAsync(EmulatorHarness emu, string name, string provider = CoreToday) =>
        Count(await emu.StatsAsync(provider), name);

    /// <summary>The clip the emulator serves for a 6-second 768p job, as bytes.</summary>
    public static byte[] Clip() => new VideoLibrary().Open("768p-6s", 0).ToArray();
}

/// <summary>What a <see cref="TinyServer"/> was asked; Credentials joins Authorization and X-API-Key.</summary>
public sealed record SeenRequest(string Method, string Path, string Range, string IfRange, string Credentials);

/// <summary>
/// A small web server on 127.0.0.1:0 for what the emulator does not serve: error pages, bodies that
/// are not MP4s, stalls mid-body, servers that refuse HEAD. Records each request's method and Range.
/// </summary>
public sealed class TinyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TinyServer(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Uri Url(string path) => new(BaseUrl + path);

    public static async Task<TinyServer> StartAsync(Action<WebApplication, TinyServer> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new TinyServer(app);
        app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers;
            server.Requests.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path.Value ?? "",
                headers.Range.ToString(), headers.IfRange.ToString(), headers.Authorization.ToString() + headers["X-API-Key"]));
            await next(context);
        });
        map(app, server);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    /// <summary>Serves <paramref name="bytes"/> as video/mp4 with Range, If-Range and an ETag, as a CDN does.</summary>
    public static async Task ServeVideoAsync(HttpContext context, byte[] bytes, string etag = "\"tiny-1\"")
    {
        var response = context.Response;
        long start = 0;
        var range = context.Request.Headers.Range.ToString();
        var ifRange = context.Request.Headers.IfRange.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && (ifRange.Length == 0 || ifRange == etag)
            && VideoReply.ParseRange(range, bytes.Length) is { } parsed)
        {
            start = parsed.Start;
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {parsed.Start}-{parsed.Start + parsed.Length - 1}/{bytes.Length}";
            response.ContentLength = parsed.Length;
        }
        else
        {
            response.ContentLength = bytes.Length;
        }
        response.ContentType = "video/mp4";
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            var length = (int)response.ContentLength!.Value;
            await response.Body.WriteAsync(bytes.AsMemory((int)start, length));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

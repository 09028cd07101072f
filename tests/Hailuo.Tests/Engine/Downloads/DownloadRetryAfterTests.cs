using Hailuo.Downloads;
using Hailuo.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Hailuo.Tests.Engine.Downloads.DownloadTestKit;

namespace Hailuo.Tests.Engine.Downloads;

/// <summary>
/// Downloads keep the policy API calls keep (Transport/HttpRetryPolicy.cs): a Retry-After up to ten minutes is
/// waited in full, a longer one ends the download at once with the wait it asked for. Waits are recorded, not waited.
/// </summary>
public sealed class DownloadRetryAfterTests
{
    private static readonly HttpClient Plain = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A link that answers <paramref name="status"/> with <paramref name="retryAfter"/> the first time, then the video.</summary>
    private static Task<TinyServer> BusyOnceAsync(int status, string retryAfter)
    {
        var clip = Clip();
        var calls = 0;
        return TinyServer.StartAsync((app, _) => app.MapGet("/busy.mp4", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = status;
                context.Response.Headers.RetryAfter = retryAfter;
                await context.Response.WriteAsync("busy");
                return;
            }
            await TinyServer.ServeVideoAsync(context, clip);
        }));
    }

    [Fact]
    public async Task A_Retry_After_within_ten_minutes_is_waited_in_full()
    {
        await using var server = await BusyOnceAsync(503, "120");
        using var folder = new TempFolder();
        var clock = new InstantClock();

        var result = await new VideoDownloader(Plain, Fast(), clock).DownloadAsync(new DownloadRequest(server.Url("/busy.mp4"), folder.File("v.mp4")));

        Assert.Equal(2, result.Attempts);
        var wait = Assert.Single(clock.Waits);
        Assert.InRange(wait, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(121));
        Assert.Equal(Clip(), await File.ReadAllBytesAsync(folder.File("v.mp4")));
    }

    [Fact]
    public async Task A_Retry_After_beyond_ten_minutes_ends_the_download_at_once_and_says_so()
    {
        await using var server = await BusyOnceAsync(429, "3600");
        using var folder = new TempFolder();
        var clock = new InstantClock();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast(), clock).DownloadAsync(new DownloadRequest(server.Url("/busy.mp4"), folder.File("v.mp4"))));

        Assert.Equal(HailuoErrorKind.Transient, error.Error.Kind);
        Assert.Equal(HailuoRemedy.TryLater, error.Error.Remedy);
        Assert.Equal("429", error.Error.Code);
        Assert.Contains("asked to wait 60 minutes", error.Message);
        Assert.Contains("\"busy\"", error.Message);
        Assert.Empty(clock.Waits);
        Assert.Single(server.Requests);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task A_relative_redirect_is_followed_without_credentials()
    {
        var clip = Clip();
        await using var server = await TinyServer.StartAsync((app, _) =>
        {
            app.MapGet("/signed/old.mp4", () => Results.Redirect("../files/v.mp4"));
            app.MapGet("/files/v.mp4", context => TinyServer.ServeVideoAsync(context, clip));
        });
        using var folder = new TempFolder();
        // As HailuoClient's: the downloader follows redirects, not the handler.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var result = await new VideoDownloader(http, Fast()).DownloadAsync(new DownloadRequest(server.Url("/signed/old.mp4"), folder.File("v.mp4")));

        Assert.Equal(clip.Length, result.Length);
        Assert.Equal(["/signed/old.mp4", "/files/v.mp4"], server.Requests.Select(r => r.Path));
        Assert.All(server.Requests, r => Assert.Empty(r.Credentials));
    }
}

using System.Net.Http.Headers;
using Hailuo.Downloads;
using Hailuo.Emulator;
using Hailuo.Media;
using Hailuo.Models;
using Hailuo.Tests.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Time.Testing;
using static Hailuo.Tests.Engine.Downloads.DownloadTestKit;

namespace Hailuo.Tests.Engine.Downloads;

public sealed class VideoDownloaderTests
{
    private static readonly HttpClient Plain = new() { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task A_plain_download_writes_the_served_bytes_as_a_complete_MP4()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var served = await emu.Http.GetByteArrayAsync(url);
        var reports = new List<DownloadProgress>();

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("clip.mp4")),
            new SyncProgress<DownloadProgress>(reports.Add));

        Assert.Equal(served, await File.ReadAllBytesAsync(folder.File("clip.mp4")));
        var summary = Mp4Inspector.Inspect(folder.File("clip.mp4"));
        Assert.Equal((1366, 768), (summary.Width, summary.Height));
        Assert.Equal(folder.File("clip.mp4"), result.Path);
        Assert.Equal(served.Length, result.Length);
        Assert.Equal(served.Length, result.BytesTransferred);
        Assert.False(result.Skipped);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(0, result.Refreshes);
        Assert.Equal(["clip.mp4"], folder.Files());
        var last = reports[^1];
        Assert.True(last.Completed);
        Assert.Equal(served.Length, last.BytesWritten);
        Assert.Equal(served.Length, last.TotalBytes);
        Assert.Equal(100, last.PercentComplete);
        Assert.Single(reports, r => r.Completed);
    }

    [Fact]
    public async Task Temp_files_left_by_a_killed_download_are_removed_and_one_still_being_written_is_kept()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        // A process killed mid-download leaves its temp file half written, and nobody holds it open.
        var orphan = folder.File(".earlier.mp4.0123456789ab.partial");
        await File.WriteAllBytesAsync(orphan, Clip()[..1000]);
        // A download that is still running (here or in another process) holds its temp file open.
        var live = folder.File(".running.mp4.abcdef012345.partial");
        await using var held = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        await File.WriteAllTextAsync(folder.File(".notes.partial"), "not a download's");

        await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("clip.mp4")));

        Assert.Equal([".notes.partial", ".running.mp4.abcdef012345.partial", "clip.mp4"], folder.Files());
    }

    [Fact]
    public async Task A_50_MB_video_is_streamed_to_a_temp_file_on_disk_and_renamed_into_place()
    {
        const long size = 50L * 1024 * 1024;
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = size);
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var destination = folder.File("big.mp4");
        var midway = new List<(long Written, long OnDisk, bool DestinationExists)>();

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, destination),
            new SyncProgress<DownloadProgress>(p =>
            {
                if (!p.Completed && p.BytesWritten < size)
                {
                    var partial = Directory.GetFiles(folder.Path, ".big.mp4.*.partial");
                    Assert.Single(partial);
                    midway.Add((p.BytesWritten, new FileInfo(partial[0]).Length, File.Exists(destination)));
                }
            }));

        Assert.Equal(size, result.Length);
        Assert.Equal(size, new FileInfo(destination).Length);
        Assert.Equal(["big.mp4"], folder.Files());
        Assert.Contains(Mp4Inspector.Inspect(destination).TopLevel, b => b.Type == "free");
        // While it ran, what had arrived was already on disk, in the temp file, not in memory.
        Assert.NotEmpty(midway);
        Assert.All(midway, m =>
        {
            Assert.Equal(m.Written, m.OnDisk);
            Assert.False(m.DestinationExists);
        });
    }

    // A cut connection loses whatever the socket had not handed over yet, so these videos are big
    // enough that a good part of each cut body has certainly arrived before the cut.
    private const long CutVideoBytes = 20L * 1024 * 1024;

    [Fact]
    public async Task A_body_cut_short_twice_resumes_with_Range_instead_of_starting_over()
    {
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = CutVideoBytes);
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Truncate", operation = "Download", times = 2 } });

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("cut.mp4")));

        var stats = await emu.StatsAsync(CoreToday);
        var sent = EmulatorHarness.Count(stats, "bytesSent");
        Assert.Equal(2, stats["faultsByKind"]!["Truncate"]!.GetValue<long>());
        Assert.Equal(3, result.Attempts);
        // Restarting from zero would cost half + half + whole = twice the file.
        Assert.True(sent < 2 * result.Length, $"{sent} bytes were sent for a {result.Length}-byte file: the download restarted from zero");
        Assert.Equal(CutVideoBytes, result.Length);
        Assert.Equal(result.Length, result.BytesTransferred);
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(folder.File("cut.mp4")));
        Assert.Equal(["cut.mp4"], folder.Files());
    }

    [Fact]
    public async Task A_connection_reset_is_retried()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Reset", operation = "Download", times = 1 } });
        var clock = new InstantClock();

        var result = await new VideoDownloader(Plain, new DownloadOptions(), clock)
            .DownloadAsync(new DownloadRequest(url, folder.File("reset.mp4")));

        Assert.Equal(2, result.Attempts);
        // The first backoff, 200 ms less up to half of it for jitter.
        Assert.InRange(Assert.Single(clock.Waits), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(folder.File("reset.mp4")));
    }

    [Fact]
    public async Task Resets_beyond_MaxAttempts_fail_as_Transient_and_leave_nothing()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Reset", operation = "Download" } });

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast(o => o.MaxAttempts = 3)).DownloadAsync(new DownloadRequest(url, folder.File("x.mp4"))));

        Assert.Equal(HailuoErrorKind.Transient, error.Error.Kind);
        Assert.Contains("failed 3 times", error.Message);
        Assert.Equal(3, await StatAsync(emu, "downloads"));
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task A_stalled_body_is_abandoned_after_ReadTimeout_and_resumed()
    {
        var clip = Clip();
        var first = true;
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/stall.mp4", async context =>
        {
            if (first)
            {
                first = false;
                context.Response.ContentType = "video/mp4";
                context.Response.ContentLength = clip.Length;
                context.Response.Headers.ETag = "\"tiny-1\"";
                await context.Response.Body.WriteAsync(clip.AsMemory(0, 1000));
                await context.Response.Body.FlushAsync();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            await TinyServer.ServeVideoAsync(context, clip);
        }));
        using var folder = new TempFolder();

        var result = await new VideoDownloader(Plain, Fast(o => o.ReadTimeout = TimeSpan.FromMilliseconds(500)))
            .DownloadAsync(new DownloadRequest(server.Url("/stall.mp4"), folder.File("stall.mp4")));

        Assert.Equal(2, result.Attempts);
        Assert.Equal(clip, await File.ReadAllBytesAsync(folder.File("stall.mp4")));
        Assert.Equal(["", "bytes=1000-"], server.Requests.Select(r => r.Range));
        Assert.Equal(["", "\"tiny-1\""], server.Requests.Select(r => r.IfRange));
        Assert.All(server.Requests, r => Assert.Empty(r.Credentials));
        Assert.Equal(clip.Length, result.BytesTransferred);
    }

    [Fact]
    public async Task A_206_for_the_wrong_range_is_not_stitched_on_and_the_file_starts_over()
    {
        var clip = Clip();
        var calls = 0;
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/wrong.mp4", async context =>
        {
            context.Response.ContentType = "video/mp4";
            context.Response.Headers.ETag = "\"tiny-1\"";
            switch (Interlocked.Increment(ref calls))
            {
                case 1:
                    context.Response.ContentLength = clip.Length;
                    await context.Response.Body.WriteAsync(clip.AsMemory(0, 5000));
                    await context.Response.Body.FlushAsync();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
                case 2:
                    // Asked for bytes=5000-, answers from byte 0: appending this would corrupt the file.
                    context.Response.StatusCode = 206;
                    context.Response.Headers.ContentRange = $"bytes 0-{clip.Length - 1}/{clip.Length}";
                    context.Response.ContentLength = clip.Length;
                    await context.Response.Body.WriteAsync(clip);
                    break;
                default:
                    await TinyServer.ServeVideoAsync(context, clip);
                    break;
            }
        }));
        using var folder = new TempFolder();

        var result = await new VideoDownloader(Plain, Fast(o => o.ReadTimeout = TimeSpan.FromMilliseconds(500)))
            .DownloadAsync(new DownloadRequest(server.Url("/wrong.mp4"), folder.File("w.mp4")));

        Assert.Equal(clip, await File.ReadAllBytesAsync(folder.File("w.mp4")));
        Assert.Equal(3, result.Attempts);
        Assert.Equal(["", "bytes=5000-", ""], server.Requests.Select(r => r.Range));
    }

    [Fact]
    public async Task An_answer_that_does_not_come_within_ReadTimeout_is_asked_for_again()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Slow", operation = "Download", times = 1, parameter = 20000 } });

        var result = await new VideoDownloader(Plain, Fast(o => o.ReadTimeout = TimeSpan.FromMilliseconds(300)))
            .DownloadAsync(new DownloadRequest(url, folder.File("slow.mp4")));

        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, await StatAsync(emu, "downloads"));
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(folder.File("slow.mp4")));
    }

    [Fact]
    public async Task A_200_to_a_ranged_request_starts_the_file_over()
    {
        var clip = Clip();
        var calls = 0;
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/norange.mp4", async context =>
        {
            context.Response.ContentType = "video/mp4";
            context.Response.ContentLength = clip.Length;
            if (Interlocked.Increment(ref calls) == 1)
            {
                // 5000 bytes, then silence: the client gives up on this response and resumes.
                await context.Response.Body.WriteAsync(clip.AsMemory(0, 5000));
                await context.Response.Body.FlushAsync();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            // Ignores Range, as some servers do: the whole file again, with 200.
            await context.Response.Body.WriteAsync(clip);
        }));
        using var folder = new TempFolder();

        var result = await new VideoDownloader(Plain, Fast(o => o.ReadTimeout = TimeSpan.FromMilliseconds(500)))
            .DownloadAsync(new DownloadRequest(server.Url("/norange.mp4"), folder.File("n.mp4")));

        Assert.Equal(clip, await File.ReadAllBytesAsync(folder.File("n.mp4")));
        Assert.Equal(2, result.Attempts);
        Assert.Equal(["", "bytes=5000-"], server.Requests.Select(r => r.Range));
        Assert.Equal(5000 + clip.Length, result.BytesTransferred);
        Assert.Equal(clip.Length, result.Length);
    }

    [Fact]
    public async Task An_expired_link_is_refreshed_by_reading_the_job_again()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (id, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Expire", operation = "Download", times = 1 } });
        var fresh = new List<Uri>();

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("e.mp4"))
        {
            RefreshSource = async _ =>
            {
                fresh.Add(await ReadLinkAsync(emu, id));
                return fresh[^1];
            },
        });

        Assert.Equal(1, result.Refreshes);
        Assert.Single(fresh);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(folder.File("e.mp4")));
    }

    [Fact]
    public async Task A_link_that_expires_mid_download_is_refreshed_and_the_download_resumes_from_disk()
    {
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = CutVideoBytes);
        using var folder = new TempFolder();
        var (id, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Truncate", operation = "Download", times = 1 } });
        var clock = new InstantClock
        {
            // While the downloader waits to retry the cut body, the link expires.
            During = _ => emu.SetFaultsAsync(new[] { new { kind = "Expire", operation = "Download", times = 1 } }),
        };

        var result = await new VideoDownloader(Plain, new DownloadOptions(), clock).DownloadAsync(new DownloadRequest(url, folder.File("m.mp4"))
        {
            RefreshSource = _ => ReadLinkAsync(emu, id),
        });

        Assert.Equal(3, result.Attempts);
        Assert.Equal(1, result.Refreshes);
        // Starting over on the fresh link would cost the cut half plus the whole file.
        var sent = await StatAsync(emu, "bytesSent");
        Assert.True(sent < result.Length * 3 / 2, $"{sent} bytes were sent for a {result.Length}-byte file: the download restarted after the refresh");
        Assert.Equal(result.Length, result.BytesTransferred);
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(folder.File("m.mp4")));
    }

    [Fact]
    public async Task An_expired_link_without_a_way_to_refresh_it_fails_as_Expired_and_leaves_nothing()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Expire", operation = "Download", times = 1 } });

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("e.mp4"))));

        Assert.Equal(HailuoErrorKind.Expired, error.Error.Kind);
        Assert.Equal("403", error.Error.Code);
        Assert.Contains("Request has expired", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task A_Replicate_output_deleted_after_retention_fails_after_MaxRefreshes_as_NotFound()
    {
        // The emulator's clock moves only when the test says, so the output cannot be deleted before it is read once.
        var clock = new FakeTimeProvider();
        await using var emu = await EmulatorHarness.StartAsync(o => o.ReplicateRetentionSeconds = 1000, clock);
        using var folder = new TempFolder();
        var (_, created) = await emu.SendAsync(HttpMethod.Post, "replicate/v1/models/minimax/hailuo-2.3/predictions", ProviderNames.Replicate,
            new { input = new { prompt = "A lighthouse at dusk" } });
        var id = created!["id"]!.GetValue<string>();
        async Task<System.Text.Json.Nodes.JsonNode> Prediction() =>
            (await emu.SendAsync(HttpMethod.Get, $"replicate/v1/predictions/{id}", ProviderNames.Replicate)).Body!;

        // A 2-minute job at time scale 0.001 takes at most 0.132 s; the output is kept 1 s after that.
        clock.Advance(TimeSpan.FromSeconds(0.2));
        var done = await Prediction();
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());
        var url = new Uri(done["output"]!.GetValue<string>());
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True((await Prediction())["data_removed"]!.GetValue<bool>());
        var refreshes = 0;

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast(o => o.MaxRefreshes = 2)).DownloadAsync(new DownloadRequest(url, folder.File("gone.mp4"))
            {
                // The prediction has no output any more, so all there is to offer is the old link.
                RefreshSource = _ =>
                {
                    refreshes++;
                    return Task.FromResult(url);
                },
            }));

        Assert.Equal(HailuoErrorKind.NotFound, error.Error.Kind);
        Assert.Equal("404", error.Error.Code);
        Assert.Contains("after 2 fresh link(s)", error.Message);
        Assert.Contains("This file has been deleted.", error.Message);
        Assert.Equal(2, refreshes);
        Assert.Equal(3, await StatAsync(emu, "downloads", ProviderNames.Replicate));
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task A_video_over_MaxBytes_is_refused_before_anything_is_written()
    {
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = 5_000_000);
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var reports = 0;

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast(o => o.MaxBytes = 1_000_000)).DownloadAsync(new DownloadRequest(url, folder.File("big.mp4")),
                new SyncProgress<DownloadProgress>(_ => reports++)));

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Contains("5000000 bytes", error.Message);
        Assert.Contains("limit of 1000000 bytes", error.Message);
        Assert.Equal(0, reports);
        Assert.Empty(folder.Files());
        Assert.Equal(1, await StatAsync(emu, "downloads"));
    }

    [Fact]
    public async Task A_body_without_a_length_is_stopped_at_MaxBytes()
    {
        var clip = Clip();
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/endless.mp4", async context =>
        {
            context.Response.ContentType = "video/mp4";
            // No Content-Length: chunked, and it keeps going.
            for (var i = 0; i < 50 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(clip, context.RequestAborted);
            }
        }));
        using var folder = new TempFolder();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast(o => o.MaxBytes = 3 * clip.Length)).DownloadAsync(new DownloadRequest(server.Url("/endless.mp4"), folder.File("e.mp4"))));

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Contains("went past the limit", error.Message);
        Assert.Empty(folder.Files());
    }

    [Theory]
    [InlineData("/page", "text/html")]
    [InlineData("/problem", "application/json")]
    [InlineData("/xml", "application/xml")]
    public async Task An_error_page_served_with_200_is_refused_with_its_type_and_text(string path, string type)
    {
        var page = path switch
        {
            "/page" => "<html><body><h1>Access denied</h1><p>Your session has expired. " + new string('x', 400) + "</p></body></html>",
            "/problem" => "{\"error\":\"Access denied\",\"detail\":\"signature mismatch\"}",
            _ => "<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>",
        };
        await using var server = await TinyServer.StartAsync((app, _) =>
            app.MapGet(path, () => Results.Text(page, type)));
        using var folder = new TempFolder();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(server.Url(path), folder.File("v.mp4"))));

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Contains(type, error.Message);
        Assert.Contains("Access denied", error.Message);
        Assert.DoesNotContain(new string('x', 200), error.Message);
        Assert.Single(server.Requests);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task The_emulators_plain_text_root_is_refused_as_not_a_video()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(new Uri(emu.BaseUrl + "/"), folder.File("v.mp4"))));

        Assert.Contains("text/plain", error.Message);
        Assert.Contains("Hailuo emulator", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task Bytes_that_do_not_start_like_an_MP4_are_refused_whatever_the_type_says()
    {
        await using var server = await TinyServer.StartAsync((app, _) =>
            app.MapGet("/fake.mp4", () => Results.Bytes("GIF89a this is not a video at all"u8.ToArray(), "video/mp4")));
        using var folder = new TempFolder();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(server.Url("/fake.mp4"), folder.File("v.mp4"))));

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Contains("not an MP4", error.Message);
        Assert.Contains("GIF89a", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task A_file_that_starts_like_an_MP4_but_is_incomplete_is_discarded()
    {
        var clip = Clip();
        var half = clip.AsSpan(0, clip.Length / 2).ToArray();
        await using var server = await TinyServer.StartAsync((app, _) =>
            app.MapGet("/half.mp4", () => Results.Bytes(half, "video/mp4")));
        using var folder = new TempFolder();

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(server.Url("/half.mp4"), folder.File("v.mp4"))));

        Assert.Equal(HailuoErrorKind.Protocol, error.Error.Kind);
        Assert.Contains("not a complete MP4", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task Cancelling_mid_download_throws_OperationCanceledException_and_leaves_no_partial_file()
    {
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = 200L * 1024 * 1024);
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        using var cts = new CancellationTokenSource();
        long seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("c.mp4")),
                new SyncProgress<DownloadProgress>(p =>
                {
                    seen = p.BytesWritten;
                    cts.Cancel();
                }), cts.Token));

        Assert.InRange(seen, 1, 200L * 1024 * 1024 - 1);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_a_slow_answer_leaves_nothing()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        await emu.SetFaultsAsync(new[] { new { kind = "Slow", operation = "Download", parameter = 30000 } });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, folder.File("s.mp4")), cancellationToken: cts.Token));

        Assert.Empty(folder.Files());
    }

    [Fact]
    public async Task An_identical_existing_file_is_skipped_without_fetching_the_body()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var downloader = new VideoDownloader(Plain, Fast());
        await downloader.DownloadAsync(new DownloadRequest(url, folder.File("v.mp4")));
        var before = await File.ReadAllBytesAsync(folder.File("v.mp4"));
        var sentBefore = await StatAsync(emu, "bytesSent");

        var result = await downloader.DownloadAsync(new DownloadRequest(url, folder.File("v.mp4")));

        Assert.True(result.Skipped);
        Assert.Equal(before.Length, result.Length);
        Assert.Equal(0, result.BytesTransferred);
        Assert.Equal(sentBefore, await StatAsync(emu, "bytesSent"));
        Assert.Equal(before, await File.ReadAllBytesAsync(folder.File("v.mp4")));
        Assert.Equal(["v.mp4"], folder.Files());
    }

    [Fact]
    public async Task When_HEAD_is_refused_the_size_is_learned_from_a_one_byte_range()
    {
        var clip = Clip();
        await using var server = await TinyServer.StartAsync((app, _) =>
        {
            app.MapMethods("/v.mp4", [HttpMethods.Head], () => Results.StatusCode(403));
            app.MapGet("/v.mp4", context => TinyServer.ServeVideoAsync(context, clip));
        });
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(folder.File("v.mp4"), clip);

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(server.Url("/v.mp4"), folder.File("v.mp4")));

        Assert.True(result.Skipped);
        Assert.Equal(2, result.Attempts);
        Assert.Equal([("HEAD", ""), ("GET", "bytes=0-0")], server.Requests.Select(r => (r.Method, r.Range)));
        Assert.Equal(clip, await File.ReadAllBytesAsync(folder.File("v.mp4")));
    }

    [Fact]
    public async Task A_different_existing_file_is_refused_without_Overwrite_and_replaced_with_it()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var path = folder.File("v.mp4");
        await File.WriteAllTextAsync(path, "an older, different file");

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, path)));

        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Contains("already exists and differs", error.Message);
        Assert.Equal(HailuoRemedy.OverwriteOrRename, error.Error.Remedy);
        Assert.Equal("an older, different file", await File.ReadAllTextAsync(path));
        Assert.Equal(0, await StatAsync(emu, "bytesSent"));

        var result = await new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, path) { Overwrite = true });

        Assert.False(result.Skipped);
        Assert.Equal(await emu.Http.GetByteArrayAsync(url), await File.ReadAllBytesAsync(path));
        Assert.Equal(["v.mp4"], folder.Files());
    }

    [Fact]
    public async Task An_existing_file_of_the_right_size_that_is_not_a_whole_MP4_is_refused()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var folder = new TempFolder();
        var (_, url) = await CompletedJobAsync(emu);
        var length = (await emu.Http.GetByteArrayAsync(url)).Length;
        var path = folder.File("v.mp4");
        await File.WriteAllBytesAsync(path, new byte[length]);

        var error = await Assert.ThrowsAsync<HailuoException>(() =>
            new VideoDownloader(Plain, Fast()).DownloadAsync(new DownloadRequest(url, path)));

        Assert.Equal(HailuoErrorKind.Validation, error.Error.Kind);
        Assert.Contains("not a complete MP4", error.Message);
        Assert.Equal(new byte[length], await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Concurrent_downloads_through_one_instance_each_complete()
    {
        await using var emu = await EmulatorHarness.StartAsync(o => o.VideoBytes = 2_000_000);
        using var folder = new TempFolder();
        var jobs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => CompletedJobAsync(emu, $"video {i}")));
        await emu.SetFaultsAsync(new[] { new { kind = "Truncate", operation = "Download", times = 3 } });
        var downloader = new VideoDownloader(Plain, Fast());

        var results = await Task.WhenAll(jobs.Select((job, i) =>
            downloader.DownloadAsync(new DownloadRequest(job.Url, folder.File($"{i}.mp4")))));

        Assert.Equal(7, results.Sum(r => r.Attempts));
        Assert.All(results, r => Assert.Equal(2_000_000, new FileInfo(r.Path).Length));
        Assert.Equal(["0.mp4", "1.mp4", "2.mp4", "3.mp4"], folder.Files());
    }

    [Fact]
    public void A_client_that_carries_credentials_is_refused()
    {
        using var withKey = new HttpClient();
        withKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-secret");
        using var withHeader = new HttpClient();
        withHeader.DefaultRequestHeaders.Add("X-API-Key", "sk-secret");

        Assert.Throws<ArgumentException>(() => new VideoDownloader(withKey));
        Assert.Throws<ArgumentException>(() => new VideoDownloader(withHeader));
    }

    [Fact]
    public async Task Credentials_added_to_the_client_later_are_refused_before_any_request()
    {
        await using var server = await TinyServer.StartAsync((app, _) => app.MapGet("/v.mp4", () => Results.Ok()));
        using var client = new HttpClient();
        var downloader = new VideoDownloader(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-secret");
        using var folder = new TempFolder();

        await Assert.ThrowsAsync<ArgumentException>(() => downloader.DownloadAsync(new DownloadRequest(server.Url("/v.mp4"), folder.File("v.mp4"))));

        Assert.Empty(server.Requests);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Media;
using static Hailuo.Tests.Emulator.EmulatorGenericHelpers;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Emulator;

/// <summary>Downloads as a CDN serves them: ranges, HEAD, padding to large sizes, expiring and deleted links.</summary>
public sealed class DownloadTests
{
    private const string CT = ProviderNames.CoreToday;

    /// <summary>An emulator whose links outlive the test, with one finished core.today video.</summary>
    private static async Task<(EmulatorHarness Emu, string Url, byte[] Full)> VideoAsync(Action<EmulatorOptions>? configure = null)
    {
        var emu = await StartAsync(o =>
        {
            o.UrlTtlSeconds = 1e6;
            configure?.Invoke(o);
        });
        var (_, url) = await CompletedCoreTodayJobAsync(emu);
        var full = await emu.Http.GetByteArrayAsync(url);
        return (emu, url, full);
    }

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(EmulatorHarness emu, string url, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        var response = await emu.Http.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_closed_range_gives_206_with_exactly_those_bytes()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var (response, body) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(0, 99));
        using (response)
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes 0-99/{full.Length}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(100, response.Content.Headers.ContentLength);
            Assert.Equal(full.AsSpan(0, 100).ToArray(), body);
        }
    }

    [Fact]
    public async Task An_open_range_gives_the_rest_of_the_file()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var (response, body) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(100, null));
        using (response)
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes 100-{full.Length - 1}/{full.Length}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(full[100..], body);
        }
    }

    [Fact]
    public async Task A_suffix_range_gives_the_last_bytes()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var (response, body) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(null, 50));
        using (response)
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {full.Length - 50}-{full.Length - 1}/{full.Length}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(full[^50..], body);
        }
    }

    [Fact]
    public async Task A_range_past_the_end_answers_416_with_the_size()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var (response, body) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(full.Length, null));
        using (response)
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
            Assert.Equal($"bytes */{full.Length}", response.Content.Headers.ContentRange!.ToString());
            Assert.Empty(body);
        }
    }

    [Fact]
    public async Task If_Range_with_a_stale_ETag_sends_the_whole_file_and_with_the_current_one_the_range()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var (stale, staleBody) = await GetAsync(emu, url, r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 99);
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"not-the-etag\""));
        });
        using (stale)
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Null(stale.Content.Headers.ContentRange);
            Assert.Equal(full, staleBody);

            var etag = stale.Headers.ETag!;
            var (current, currentBody) = await GetAsync(emu, url, r =>
            {
                r.Headers.Range = new RangeHeaderValue(0, 99);
                r.Headers.IfRange = new RangeConditionHeaderValue(etag);
            });
            using (current)
            {
                Assert.Equal(HttpStatusCode.PartialContent, current.StatusCode);
                Assert.Equal(full.AsSpan(0, 100).ToArray(), currentBody);
            }
        }
    }

    [Fact]
    public async Task HEAD_gives_the_length_and_range_support_without_a_body()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var response = await emu.Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(full.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("video/mp4", response.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.Empty(body);
    }

    [Fact]
    public async Task A_download_resumed_from_the_middle_joins_up_to_the_whole_file()
    {
        var (emu, url, full) = await VideoAsync();
        await using var _ = emu;
        var split = full.Length / 2 + 7;
        var (head, first) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(0, split - 1));
        var (tail, rest) = await GetAsync(emu, url, r => r.Headers.Range = new RangeHeaderValue(split, null));
        using (head)
        using (tail)
        {
            Assert.Equal(HttpStatusCode.PartialContent, head.StatusCode);
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            var joined = first.Concat(rest).ToArray();
            Assert.Equal(full, joined);
            AssertVideo(joined, 1366, 768);
        }
    }

    [Fact]
    public async Task With_VideoBytes_the_file_is_padded_to_exactly_that_length_with_a_free_box()
    {
        const long size = 5L * 1024 * 1024;
        var clipLength = new VideoLibrary().Open("1080p-6s", 0).Length;
        await using var emu = await StartAsync(o =>
        {
            o.VideoBytes = size;
            o.UrlTtlSeconds = 1e6;
        });
        var (status, created) = await emu.SendAsync(HttpMethod.Post, CoreTodayCreate, CT,
            new { model = "minimax/hailuo-2.3", input = new { prompt = "A wide valley", resolution = "1080p" } });
        Assert.Equal(200, status);
        var done = await CoreTodayJobAsync(emu, created!["job_id"]!.GetValue<string>(), "completed");

        var bytes = await emu.Http.GetByteArrayAsync(done["result"]!.GetValue<string>());

        Assert.Equal(size, bytes.LongLength);
        var summary = AssertVideo(bytes, 1920, 1080);
        var types = summary.TopLevel.Select(b => b.Type).ToList();
        Assert.Contains("ftyp", types);
        Assert.Contains("moov", types);
        Assert.Contains("mdat", types);
        var free = summary.TopLevel[^1];
        Assert.Equal("free", free.Type);
        Assert.Equal(clipLength, free.Offset);
        Assert.Equal(size - clipLength, free.Size);
        Assert.Equal(8, free.HeaderSize);
        Assert.True(bytes.AsSpan((int)clipLength + 8).IndexOfAnyExcept((byte)0) < 0, "the padding is all zeros");
        Assert.Equal(size, Count(await emu.StatsAsync(CT), "bytesSent"));
    }

    [Fact]
    public async Task A_5_GiB_virtual_video_uses_a_largesize_free_box_and_reads_at_any_offset()
    {
        const long size = 5L * 1024 * 1024 * 1024;
        var library = new VideoLibrary();
        var clip = new MemoryStream();
        var clipLength = library.Open("768p-6s", 0).Length;
        var video = library.Open("768p-6s", size);
        Assert.Equal(size, video.Length);

        var header = new MemoryStream();
        var written = await video.WriteAsync(header, clipLength, 16, 16, CancellationToken.None);
        Assert.Equal(16, written);
        var h = header.ToArray();
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(h));
        Assert.Equal("free", Encoding.ASCII.GetString(h, 4, 4));
        Assert.Equal((ulong)(size - clipLength), BinaryPrimitives.ReadUInt64BigEndian(h.AsSpan(8)));

        // A read across the end of the clip gives the clip's last bytes then the header; the very end is zeros.
        var across = new MemoryStream();
        await video.WriteAsync(across, clipLength - 4, 24, 24, CancellationToken.None);
        await library.Open("768p-6s", 0).WriteAsync(clip, clipLength - 4, 4, 4, CancellationToken.None);
        Assert.Equal(clip.ToArray().Concat(h).Concat(new byte[4]).ToArray(), across.ToArray());
        var tail = new MemoryStream();
        Assert.Equal(100, await video.WriteAsync(tail, size - 100, 100, 100, CancellationToken.None));
        Assert.All(tail.ToArray(), b => Assert.Equal(0, b));

        // The limit stops a write early, as a truncated download does.
        var limited = new MemoryStream();
        Assert.Equal(10, await video.WriteAsync(limited, 0, 1000, 10, CancellationToken.None));

        // The MP4 inspector walks the whole 5 GiB layout reading only box headers.
        var summary = Mp4Inspector.Inspect(new VirtualVideoStream(video));
        Assert.Equal(1366, summary.Width);
        Assert.Equal(768, summary.Height);
        var free = summary.TopLevel[^1];
        Assert.Equal("free", free.Type);
        Assert.Equal(16, free.HeaderSize);
        Assert.Equal(clipLength, free.Offset);
        Assert.Equal(size - clipLength, free.Size);
    }

    [Fact]
    public async Task An_expired_core_today_link_answers_403_and_a_new_GET_of_the_job_gives_a_fresh_one()
    {
        // 50 emulated seconds are 50 ms here.
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 50);
        var (id, oldUrl) = await CompletedCoreTodayJobAsync(emu);

        var expired = await EventuallyAsync(async () =>
        {
            using var response = await emu.Http.GetAsync(oldUrl);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.Item1 == 403, "the link to expire");
        Assert.Contains("Request has expired", expired.Item2);

        // Links made from now on last long enough to use; the old one stays expired.
        await SetConfigAsync(emu, new { urlTtlSeconds = 1e6 });
        var again = await CoreTodayJobAsync(emu, id, "completed");
        var freshUrl = again["result"]!.GetValue<string>();

        Assert.NotEqual(oldUrl, freshUrl);
        Assert.True(Expires(freshUrl) > Expires(oldUrl));
        await emu.DownloadVideoAsync(freshUrl, 1366, 768);
        using var stillOld = await emu.Http.GetAsync(oldUrl);
        Assert.Equal(HttpStatusCode.Forbidden, stillOld.StatusCode);
    }

    [Fact]
    public async Task MiniMax_files_retrieve_issues_a_fresh_download_url_after_the_old_one_expired()
    {
        await using var emu = await StartAsync(o => o.UrlTtlSeconds = 50);
        var (_, created) = await emu.SendAsync(HttpMethod.Post, MiniMaxCreate, ProviderNames.MiniMax, MiniMaxBody("Snow on pines"));
        var taskId = created!["task_id"]!.GetValue<string>();
        var done = await MiniMaxTaskAsync(emu, taskId, "Success");
        Assert.Equal(1366, done["video_width"]!.GetValue<int>());
        var fileId = done["file_id"]!.GetValue<string>();

        var (_, first) = await emu.SendAsync(HttpMethod.Get, $"minimax/v1/files/retrieve?file_id={fileId}", ProviderNames.MiniMax);
        Assert.Equal(0, first!["base_resp"]!["status_code"]!.GetValue<int>());
        var oldUrl = first["file"]!["download_url"]!.GetValue<string>();
        await EventuallyAsync(async () =>
        {
            using var response = await emu.Http.GetAsync(oldUrl);
            return (int)response.StatusCode;
        }, s => s == 403, "the MiniMax link to expire");

        await SetConfigAsync(emu, new { urlTtlSeconds = 1e6 });
        var (_, second) = await emu.SendAsync(HttpMethod.Get, $"minimax/v1/files/retrieve?file_id={fileId}", ProviderNames.MiniMax);
        var freshUrl = second!["file"]!["download_url"]!.GetValue<string>();

        Assert.NotEqual(oldUrl, freshUrl);
        var bytes = await emu.DownloadVideoAsync(freshUrl, 1366, 768);
        Assert.Equal(second["file"]!["bytes"]!.GetValue<long>(), bytes.LongLength);
        Assert.Equal(2, Count(await emu.StatsAsync(ProviderNames.MiniMax), "retrieves"));
    }

    [Fact]
    public async Task Replicate_removes_the_output_after_its_retention_time()
    {
        // 3000 emulated seconds are 3 s here: time enough to see the output before it goes.
        await using var emu = await StartAsync(o =>
        {
            o.ReplicateRetentionSeconds = 3000;
            o.UrlTtlSeconds = 1e6;
        });
        var (_, created) = await emu.SendAsync(HttpMethod.Post, ReplicateCreate, ProviderNames.Replicate, ReplicateBody("Autumn leaves"));
        var id = created!["id"]!.GetValue<string>();
        var done = await ReplicatePredictionAsync(emu, id, b => b["status"]!.GetValue<string>() == "succeeded", "the prediction to succeed");
        Assert.False(done["data_removed"]!.GetValue<bool>());
        var url = done["output"]!.GetValue<string>();
        await emu.DownloadVideoAsync(url, 1366, 768);

        var removed = await ReplicatePredictionAsync(emu, id, b => b["data_removed"]!.GetValue<bool>(), "the output to be removed");

        Assert.Equal("succeeded", removed["status"]!.GetValue<string>());
        Assert.Null(removed["output"]);
        Assert.NotNull(done["input"]);
        Assert.Null(removed["input"]);
        using var gone = await emu.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("deleted", await gone.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_forged_or_tampered_link_answers_404()
    {
        var (emu, url, _) = await VideoAsync();
        await using var _ = emu;
        var sig = url[(url.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        var flipped = (sig[^1] == '0' ? '1' : '0');
        var expires = Expires(url);
        var fileId = new Uri(url).Segments[3].TrimEnd('/');

        var forgeries = new[]
        {
            url[..^1] + flipped,                                                          // signature changed
            url.Replace($"expires={expires}", $"expires={expires + 1000}", StringComparison.Ordinal), // expiry extended
            url[..url.IndexOf("&sig=", StringComparison.Ordinal)],                        // signature removed
            url.Replace(fileId, new string('9', fileId.Length), StringComparison.Ordinal), // another file with this signature
            url.Replace("/files/coretoday/", "/files/replicate/", StringComparison.Ordinal), // another provider
        };
        foreach (var forged in forgeries)
        {
            Assert.NotEqual(url, forged);
            using var response = await emu.Http.GetAsync(forged);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{forged} answered {(int)response.StatusCode}");
        }
        using var genuine = await emu.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    private static long Expires(string url)
    {
        var query = new Uri(url).Query.TrimStart('?').Split('&');
        return long.Parse(query.Single(p => p.StartsWith("expires=", StringComparison.Ordinal))["expires=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A read-only, seekable view of a <see cref="VirtualVideo"/>, so the inspector can walk one too big to hold.</summary>
    private sealed class VirtualVideoStream(VirtualVideo video) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => video.Length;
        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, Length - Position);
            if (n <= 0)
            {
                return 0;
            }
            var target = new MemoryStream(buffer, offset, n);
            var written = video.WriteAsync(target, Position, n, n, CancellationToken.None).GetAwaiter().GetResult();
            Position += written;
            return (int)written;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

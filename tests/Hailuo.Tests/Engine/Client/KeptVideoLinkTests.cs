using Hailuo.Emulator.Core;
using Hailuo.Media;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// Cloudflare's run gives a video's link only in its answer: the ledger keeps that link, so a video the run paid for
/// is still saved by a later client (a later session, or a save that failed), and no other provider's link is kept.
/// </summary>
public sealed class KeptVideoLinkTests
{
    [Fact]
    public async Task A_cloudflare_video_left_unsaved_is_downloaded_whole_by_a_new_client_on_the_same_ledger()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        string id;
        using (var first = h.Client(HailuoProvider.Cloudflare))
        {
            var job = await first.SubmitAsync(EngineHarness.Request("A heron in the reeds"));
            var done = await first.WaitAsync(job, TimeSpan.FromSeconds(30));
            Assert.Equal(JobStatus.Succeeded, done.Status);
            id = done.Id;
        }
        var ledgerText = File.ReadAllText(h.LedgerPath);
        Assert.Contains("\"video\":\"http", ledgerText);
        Assert.DoesNotContain(EngineHarness.Secret, ledgerText);

        using var later = h.Client(HailuoProvider.Cloudflare);
        var known = await later.GetJobAsync(id);
        Assert.Equal(JobStatus.Succeeded, known.Status);
        Assert.NotNull(known.VideoUri);
        var path = Path.Combine(h.Folder, "later.mp4");
        var result = await later.DownloadAsync(known, path);

        using var http = new HttpClient();
        var served = await http.GetByteArrayAsync(known.VideoUri);
        Assert.Equal(served, await File.ReadAllBytesAsync(path));
        Assert.Equal(served.Length, result.Length);
        Assert.Equal(1366, Mp4Inspector.Inspect(path).Width);
        var stats = await h.StatsAsync(HailuoProvider.Cloudflare);
        Assert.Equal((1, 0), (Count(stats, "creates"), Count(stats, "statusPolls")));
        Assert.True(later.Ledger!.FindById(HailuoProvider.Cloudflare, id)!.IsDownloaded);
    }

    [Fact]
    public async Task A_kept_link_that_has_expired_says_so_plainly_and_that_only_a_forced_resubmit_makes_the_video()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01, o => o.Faults = "download:expire=1");
        var client = h.Client(HailuoProvider.Cloudflare);
        var job = await client.SubmitAsync(EngineHarness.Request("A kite over the dunes"));
        var path = Path.Combine(h.Folder, "gone.mp4");

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.DownloadAsync(client.Ledger!.FindById(HailuoProvider.Cloudflare, job.Id)!.ToJob(), path));

        Assert.Equal((HailuoErrorKind.Expired, HailuoRemedy.ForceResubmit, "403"), (error.Error.Kind, error.Error.Remedy, error.Error.Code));
        Assert.Contains("has expired", error.Message);
        Assert.Contains(job.Id, error.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(h.Folder, "*.mp4*"));
        // The one link is all there is: no status read, no second create.
        var stats = await h.StatsAsync(HailuoProvider.Cloudflare);
        Assert.Equal((1, 0), (Count(stats, "creates"), Count(stats, "statusPolls")));
    }

    [Fact]
    public async Task A_ledger_line_written_before_links_were_kept_still_loads_and_says_the_video_cannot_be_fetched_without_asking()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        string id;
        using (var first = h.Client(HailuoProvider.Cloudflare))
        {
            id = (await first.SubmitAsync(EngineHarness.Request("A paper boat"))).Id;
        }
        // The lines an older version wrote: the same, without the link.
        var lines = File.ReadAllLines(h.LedgerPath);
        File.WriteAllLines(h.LedgerPath, lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, ",\"video\":\"[^\"]*\"", "")));
        Assert.DoesNotContain("\"video\"", File.ReadAllText(h.LedgerPath));
        var later = h.Client(HailuoProvider.Cloudflare);
        var fromLedger = later.Ledger!.FindById(HailuoProvider.Cloudflare, id)!;
        Assert.Equal((JobStatus.Succeeded, null), (fromLedger.Status, fromLedger.VideoUri));
        var requests = Count(await h.StatsAsync(HailuoProvider.Cloudflare), "requests");

        var error = await Assert.ThrowsAsync<HailuoException>(() => later.DownloadAsync(fromLedger.ToJob(), Path.Combine(h.Folder, "late.mp4")));

        Assert.Equal((HailuoErrorKind.Expired, HailuoRemedy.ForceResubmit), (error.Error.Kind, error.Error.Remedy));
        Assert.Contains("only in its run's answer", error.Message);
        Assert.Equal(requests, Count(await h.StatsAsync(HailuoProvider.Cloudflare), "requests"));
    }

    [Fact]
    public async Task A_link_that_carries_the_key_is_not_kept()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        h.Emulator.Server.State.Hostile.Add(new HostileAnswer
        {
            Operation = Operation.Create,
            Status = 200,
            ContentType = "application/json",
            Body = "{\"result\":{\"status\":\"SUCCESS\",\"task_id\":\"{id}\",\"video\":\"{video}&echo=" + EngineHarness.Secret + "\"},\"success\":true,\"errors\":[]}",
        });
        var client = h.Client(HailuoProvider.Cloudflare);

        var job = await client.SubmitAsync(EngineHarness.Request("An echo in the canyon"));

        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Null(client.Ledger!.FindById(HailuoProvider.Cloudflare, job.Id)!.VideoUri);
        Assert.DoesNotContain(EngineHarness.Secret, File.ReadAllText(h.LedgerPath));
    }

    [Theory]
    [InlineData(HailuoProvider.CoreToday)]
    [InlineData(HailuoProvider.Replicate)]
    [InlineData(HailuoProvider.MiniMax)]
    public async Task Other_providers_links_expire_and_are_never_written_to_the_ledger(HailuoProvider provider)
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(provider);
        var job = await client.SubmitAsync(EngineHarness.Request("A lighthouse at dusk"));
        var done = await client.WaitAsync(job, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Succeeded, done.Status);
        await client.DownloadAsync(done, Path.Combine(h.Folder, "video.mp4"));

        Assert.DoesNotContain("\"video\"", File.ReadAllText(h.LedgerPath));
        Assert.Null(client.Ledger!.FindById(provider, job.Id)!.VideoUri);
    }

    [Fact]
    public async Task Cloudflares_batch_api_reads_links_afresh_and_keeps_none()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 0.01);
        var client = h.Client(HailuoProvider.Cloudflare, o => o.CloudflareBatch = true);
        var done = await client.WaitAsync(await client.SubmitAsync(EngineHarness.Request("A tram in the rain")), TimeSpan.FromSeconds(30));

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.DoesNotContain("\"video\"", File.ReadAllText(h.LedgerPath));
    }
}

using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Engine.Ledger.LedgerTestSupport;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>The video link the ledger keeps where a provider gives it once: on disk, through compaction, and absent from old lines.</summary>
public sealed class KeptVideoLinkLedgerTests : IDisposable
{
    private static readonly Uri Link = new("https://videos.example.com/cf/task-1/video.mp4?expires=1795000000&sig=ab12");

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static HailuoJob Finished(string id) =>
        new HailuoJob(id, HailuoProvider.Cloudflare, HailuoModels.Standard, JobStatus.Succeeded).With(videoUri: Link, taskId: "task-1");

    [Fact]
    public void A_kept_link_is_read_back_by_a_new_process_and_survives_compaction()
    {
        using (var ledger = new JobLedger(_folder.Ledger))
        {
            var intent = ledger.RecordIntent(HailuoProvider.Cloudflare, "acct", "heron", Request("a heron"), NoTag);
            ledger.RecordSubmitted(intent, Finished("cf-1"), keepVideoLink: true);
            Assert.Equal(Link, ledger.FindById(HailuoProvider.Cloudflare, "cf-1")!.VideoUri);
        }
        using (var reopened = new JobLedger(_folder.Ledger))
        {
            var job = reopened.FindById(HailuoProvider.Cloudflare, "cf-1")!.ToJob();
            Assert.Equal((JobStatus.Succeeded, Link, "task-1"), (job.Status, job.VideoUri, job.TaskId));
            reopened.Compact();
        }
        var lines = AssertAllLinesParse(_folder.Ledger);
        Assert.Single(lines, l => l.Contains("\"type\":\"snapshot\"") && l.Contains("\"video\":\"" + Link.AbsoluteUri + "\""));
        using var compacted = new JobLedger(_folder.Ledger);
        Assert.Equal(Link, compacted.FindById(HailuoProvider.Cloudflare, "cf-1")!.VideoUri);
    }

    [Fact]
    public void A_link_not_asked_to_be_kept_is_never_written()
    {
        using var ledger = new JobLedger(_folder.Ledger);
        var intent = ledger.RecordIntent(HailuoProvider.Cloudflare, "acct", "kite", Request("a kite"), NoTag);
        ledger.RecordSubmitted(intent, Finished("cf-2"));
        ledger.RecordStatus(Finished("cf-3"));

        Assert.DoesNotContain("videos.example.com", File.ReadAllText(_folder.Ledger));
        Assert.Null(ledger.FindById(HailuoProvider.Cloudflare, "cf-2")!.VideoUri);
        Assert.Null(ledger.FindById(HailuoProvider.Cloudflare, "cf-2")!.ToJob().VideoUri);
    }

    [Fact]
    public void Lines_without_the_link_still_load_and_a_link_that_is_not_http_is_not_believed()
    {
        File.WriteAllLines(_folder.Ledger,
        [
            """{"type":"intent","key":"k1","at":"2026-11-21T10:00:00+00:00","provider":"Cloudflare","account":"acct","input":"old","model":"MiniMax-Hailuo-2.3","request":{"prompt":"an old line"}}""",
            """{"type":"submitted","key":"k1","at":"2026-11-21T10:06:00+00:00","provider":"Cloudflare","id":"cf-old","model":"MiniMax-Hailuo-2.3","status":"Succeeded","taskId":"t-old"}""",
            """{"type":"snapshot","key":"k2","at":"2026-11-21T10:00:00+00:00","provider":"Cloudflare","account":"acct","input":"odd","id":"cf-odd","state":"Submitted","status":"Succeeded","video":"file:///etc/passwd"}""",
        ]);

        using var ledger = new JobLedger(_folder.Ledger);

        var old = ledger.FindById(HailuoProvider.Cloudflare, "cf-old")!;
        Assert.Equal((LedgerState.Submitted, JobStatus.Succeeded, "t-old"), (old.State, old.Status, old.TaskId));
        Assert.Null(old.VideoUri);
        var odd = ledger.FindById(HailuoProvider.Cloudflare, "cf-odd")!;
        Assert.Equal(JobStatus.Succeeded, odd.Status);
        Assert.Null(odd.VideoUri);
    }
}

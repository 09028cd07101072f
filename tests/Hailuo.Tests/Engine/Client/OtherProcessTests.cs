using System.Diagnostics;
using System.Text.Json.Nodes;
using Hailuo.Ledger;
using Hailuo.Models;
using static Hailuo.Tests.Emulator.EmulatorHarness;

namespace Hailuo.Tests.Engine.Client;

/// <summary>
/// Another process that shares the ledger and still runs has a create or a download in hand: this one waits for it,
/// and never takes its row for lost (issue 12, item 2). The other process is a real one that stays alive (a sleep); what
/// it does to the ledger is written as it would write it.
/// </summary>
public sealed class OtherProcessTests : IDisposable
{
    private readonly Process _other = StartStandIn();

    /// <summary>How the ledger names the other process: its id and start time.</summary>
    private string OtherStamp => $"{_other.Id}@{_other.StartTime.ToUniversalTime().Ticks}";

    [Fact]
    public async Task A_create_another_running_process_is_sending_is_waited_for_and_its_job_used()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Sent by the other window");
        var client = h.Client(HailuoProvider.CoreToday);
        var intent = WriteIntentOfOtherProcess(h, client, request);

        var waiting = client.SubmitAsync(request);
        await Task.Delay(600);
        Assert.False(waiting.IsCompleted, waiting.IsFaulted ? waiting.Exception!.InnerException!.Message : "It returned without waiting.");
        // The other process's create is answered: its job goes into the shared ledger.
        var made = await OtherClient(h, HailuoProvider.CoreToday).SubmitAsync(request);
        using (var ledger = new JobLedger(h.LedgerPath))
        {
            ledger.RecordSubmitted(intent, made);
        }
        var job = await waiting;

        Assert.Equal(made.Id, job.Id);
        Assert.True(job.Reused);
        Assert.Equal(1, Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
    }

    [Fact]
    public async Task A_create_another_running_process_still_has_after_the_settle_time_is_left_to_it_and_never_sent_here()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Still being retried by the other window");
        var client = h.Client(HailuoProvider.CoreToday, o => o.CreateSettleTime = TimeSpan.FromSeconds(1));
        WriteIntentOfOtherProcess(h, client, request);

        var error = await Assert.ThrowsAsync<HailuoException>(() => client.SubmitAsync(request));

        // Run again later: never "outcome unknown... use -Force", which would pay a second time for the other process's create.
        Assert.Equal(HailuoRemedy.RunAgainLater, error.Error.Remedy);
        Assert.NotEqual(HailuoErrorKind.OutcomeUnknown, error.Error.Kind);
        Assert.Contains("Another process", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Count(await h.StatsAsync(HailuoProvider.CoreToday), "createRequests"));
    }

    [Fact]
    public async Task A_video_another_running_process_is_saving_is_waited_for_and_not_downloaded_again()
    {
        await using var h = await EngineHarness.StartAsync();
        var request = EngineHarness.Request("Saved by the other window");
        var client = h.Client(HailuoProvider.CoreToday);
        var other = OtherClient(h, HailuoProvider.CoreToday);
        var done = await other.WaitAsync(await other.SubmitAsync(request), TimeSpan.FromSeconds(30));
        var path = Path.Combine(h.Folder, "videos", "saved.mp4");
        // The other process made the job, and has claimed the download of its video into this file, and is writing it.
        var intent = WriteIntentOfOtherProcess(h, client, request);
        using (var ledger = new JobLedger(h.LedgerPath))
        {
            ledger.RecordSubmitted(intent, done);
        }
        File.AppendAllText(h.LedgerPath, new JsonObject
        {
            ["type"] = "downloading", ["at"] = DateTimeOffset.UtcNow.ToString("O"), ["provider"] = nameof(HailuoProvider.CoreToday),
            ["id"] = done.Id, ["path"] = Path.GetFullPath(path), ["owner"] = OtherStamp,
        }.ToJsonString() + "\n");

        var waiting = client.DownloadAsync(done, path);
        await Task.Delay(600);
        Assert.False(waiting.IsCompleted, waiting.IsFaulted ? waiting.Exception!.InnerException!.Message : "It returned without waiting.");
        var written = await other.DownloadAsync(done, path);
        using (var ledger = new JobLedger(h.LedgerPath))
        {
            ledger.RecordDownloaded(HailuoProvider.CoreToday, done.Id, written.Path, written.Length);
        }
        var result = await waiting;

        Assert.True(result.Skipped);
        Assert.Equal(written.Length, new FileInfo(path).Length);
        // One copy of the video crossed the wire: the other process's.
        Assert.Equal(written.Length, Count(await h.StatsAsync(HailuoProvider.CoreToday), "bytesSent"));
    }

    /// <summary>The intent the other process wrote before it sent the create: the ledger names that process as its sender.</summary>
    private LedgerEntry WriteIntentOfOtherProcess(EngineHarness h, HailuoClient client, VideoRequest request)
    {
        var intent = h.WriteIntent(client, request);
        File.WriteAllLines(h.LedgerPath, File.ReadAllLines(h.LedgerPath).Select(line =>
        {
            var record = JsonNode.Parse(line)!.AsObject();
            if ((string?)record["type"] != "intent" || (string?)record["key"] != intent.Key)
            {
                return line;
            }
            record["owner"] = OtherStamp;
            return record.ToJsonString();
        }));
        return intent;
    }

    /// <summary>What the other process does at the provider, through a client with a ledger of its own (the shared one is written by hand).</summary>
    private static HailuoClient OtherClient(EngineHarness h, HailuoProvider provider) =>
        h.Client(provider, o => o.LedgerPath = Path.Combine(h.Folder, "other-process", "ledger.jsonl"));

    /// <summary>A process that stays alive for the test: the other PowerShell window.</summary>
    private static Process StartStandIn() => Process.Start(OperatingSystem.IsWindows()
        ? new ProcessStartInfo("powershell", "-NoProfile -Command Start-Sleep 120") { UseShellExecute = false }
        : new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;

    public void Dispose()
    {
        _other.Kill();
        _other.Dispose();
    }
}

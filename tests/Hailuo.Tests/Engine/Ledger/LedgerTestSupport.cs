using System.Text.Json;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Ledger;

internal static class LedgerTestSupport
{
    public static readonly IReadOnlyDictionary<string, string?> NoTag = new Dictionary<string, string?>();

    public static VideoRequest Request(string prompt) => new() { Prompt = prompt, Duration = 6, Resolution = "768p" };

    public static IReadOnlyDictionary<string, string?> Tag(params (string Key, string? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The full money protocol for one job, as a batch run would call it.</summary>
    public static string RunJob(JobLedger ledger, HailuoProvider provider, string input, JobStatus final = JobStatus.Succeeded, IReadOnlyDictionary<string, string?>? tag = null)
    {
        var intent = ledger.RecordIntent(provider, "acct", input, Request("prompt " + input), tag ?? NoTag);
        var id = "job-" + input;
        var job = new HailuoJob(id, provider, HailuoModels.Standard, JobStatus.Queued);
        ledger.RecordSubmitted(intent, job);
        ledger.RecordStatus(job.With(status: JobStatus.Running, startedAt: DateTimeOffset.UtcNow));
        ledger.RecordStatus(job.With(status: final, completedAt: DateTimeOffset.UtcNow));
        return id;
    }

    /// <summary>Every line of the file, asserting that each one is whole JSON.</summary>
    public static string[] AssertAllLinesParse(string path)
    {
        var lines = System.IO.File.ReadAllLines(path);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }
        return lines;
    }
}

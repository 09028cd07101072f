using System.Text.Json;
using Hailuo.Ledger;
using Hailuo.Models;

namespace Hailuo.Tests.Engine.Ledger;

/// <summary>A temp folder per test, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hailuo-ledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Ledger => System.IO.Path.Combine(Path, "ledger.jsonl");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

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

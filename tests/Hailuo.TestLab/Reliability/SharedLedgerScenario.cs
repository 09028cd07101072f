using System.Diagnostics;
using System.Globalization;
using Hailuo.Connection;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>Two processes given the same command at once: the provider, the size, and how far apart they start.</summary>
public sealed record SharedLedgerSettings(HailuoProvider Provider, int Rows, TimeSpan Gap, double TimeScale = 0.01, long VideoBytes = 4L << 20, int Seed = 12)
{
    /// <summary>
    /// Creates answer late, so that the two processes meet while creates are on their way: core.today sends them one at a
    /// time, so a little late spans the starts; Replicate sends them all at once, so each must take longer than the gap.
    /// </summary>
    public string Faults => Provider == HailuoProvider.CoreToday ? "create:slow=1:50" : "create:slow=1:1500";

    public string Describe() =>
        $"{HailuoConnection.NameOf(Provider)}, {(Gap == TimeSpan.Zero ? "started together" : $"started {Gap.TotalSeconds:0.#} s apart")}";
}

/// <summary>What each of the two processes wrote, and what the provider, the disk and the ledger hold afterwards.</summary>
public sealed class SharedLedgerResult : BatchAudit
{
    public required SharedLedgerSettings Settings { get; init; }

    /// <summary>The first process's report, then the second's.</summary>
    public required IReadOnlyList<BatchReport> Processes { get; init; }

    /// <summary>Bytes the emulator served as video (every download request, retries and repeats included).</summary>
    public long BytesServed { get; init; }

    /// <summary>One copy of each video: the sizes of the files on disk.</summary>
    public long BytesOnDisk { get; init; }

    public long RedundantBytes => BytesServed - BytesOnDisk;

    public double RedundantShare => BytesOnDisk == 0 ? 0 : RedundantBytes / (double)BytesOnDisk;

    public double Seconds { get; init; }

    /// <summary>Rows a process did not report as a file (saved or skipped) exactly once, by process.</summary>
    public IReadOnlyList<IReadOnlyList<long>> RowsNotReportedOnce => Processes.Select(p =>
        (IReadOnlyList<long>)Enumerable.Range(1, Settings.Rows).Select(i => (long)i).Where(row => p.Saved.Count(s => s.Row == row) != 1).ToList()).ToList();

    /// <summary>Every error and warning either process wrote, as "process n: text".</summary>
    public IEnumerable<string> Messages => Processes.SelectMany((p, i) =>
        p.Errors.Select(e => $"process {i + 1}, {e.Stage}, row {e.Row}: {e.Kind} ({e.Action}): {e.Message}")
            .Concat(p.Warnings.Select(w => $"process {i + 1}, warning: {w}")));

    /// <summary>The messages that would mislead a user: a row the other process had in hand told as unknown, advice that pays twice, a file taken for a stranger.</summary>
    public IEnumerable<string> Misleading => Processes.SelectMany((p, i) =>
        p.Errors.Where(e => e.Kind == nameof(HailuoErrorKind.OutcomeUnknown) || e.Action == nameof(HailuoRemedy.CheckDashboardOrForce) || IsMisleading(e.Message))
            .Select(e => $"process {i + 1}, row {e.Row}: {e.Message}")
            .Concat(p.Warnings.Where(IsMisleading).Select(w => $"process {i + 1}, warning: {w}")));

    /// <summary>How often each process waited for the other instead of paying or downloading again (its verbose lines).</summary>
    public IReadOnlyList<(int Creates, int Downloads)> Waits => Processes.Select(p =>
        (p.Log.Count(l => l.Contains(SharedLedgerScenario.WaitedForCreate, StringComparison.Ordinal)),
         p.Log.Count(l => l.Contains(SharedLedgerScenario.WaitedForDownload, StringComparison.Ordinal)))).ToList();

    private static bool IsMisleading(string text) =>
        text.Contains("outcome unknown", StringComparison.OrdinalIgnoreCase)
        || text.Contains("may have been accepted", StringComparison.OrdinalIgnoreCase)
        || text.Contains("-Force", StringComparison.Ordinal)
        || text.Contains("appeared while the video was downloading", StringComparison.Ordinal);
}

/// <summary>
/// Item 2 of issue 12: one CSV run twice at once, by two processes sharing the ledger (one HOME) and the output folder,
/// started together or a moment apart. Each process is the batch of <see cref="ChildBatch"/> with the engine's defaults.
/// </summary>
public static class SharedLedgerScenario
{
    public const string ChildVerb = "--shared-batch";

    /// <summary>The verbose line of a process that waits for another's create (HailuoClient), and for another's download.</summary>
    public const string WaitedForCreate = "is submitting this input; waiting for its job";

    public const string WaitedForDownload = "waiting for it instead of downloading it again";

    /// <summary>Bytes downloaded beyond one copy of each video, as a share of one copy: the issue's bound.</summary>
    public const double RedundantBound = 0.05;

    public static async Task<SharedLedgerResult> RunAsync(SharedLedgerSettings settings, string folder, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = CmdletPipeline.EmulatorName(settings.Provider);
        await using var server = await Lab.StartEmulatorAsync(settings.TimeScale, o =>
        {
            o.Seed = settings.Seed;
            o.Faults = settings.Faults;
            o.VideoBytes = settings.VideoBytes;
            o.Concurrency[name] = settings.Rows;
        });
        Csv.Write(ChildBatch.CsvPath(folder), ["prompt", "row"], Enumerable.Range(1, settings.Rows)
            .Select(i => (IReadOnlyList<string>)[$"shared row {i}: two lighthouses facing each other at dusk", i.ToString(CultureInfo.InvariantCulture)]));

        var (fileName, arguments) = ChildBatch.Command(ChildVerb, server, folder, settings.Provider);
        var first = Lab.RunProcessAsync(fileName, arguments, cancellationToken);
        await Task.Delay(settings.Gap, cancellationToken);
        var second = Lab.RunProcessAsync(fileName, arguments, cancellationToken);
        var reports = new List<BatchReport>();
        foreach (var run in new[] { first, second })
        {
            var (exit, output, error, _) = await run;
            reports.Add(ChildBatch.ReadReport(exit, output, error));
        }

        var provider = ProviderTally.Of(server, settings.Provider);
        var videos = FolderAudit.Of(ChildBatch.VideosPath(folder));
        var merged = reports.Aggregate((a, b) => a with { Saved = [.. a.Saved, .. b.Saved], Errors = [.. a.Errors, .. b.Errors] });
        return new SharedLedgerResult
        {
            Settings = settings,
            Processes = reports,
            Rows = merged.Account(settings.Rows),
            Folder = videos,
            Ledger = LedgerAudit.Of(ChildBatch.LedgerPath(folder), provider, final: true),
            Provider = provider,
            BytesServed = Interlocked.Read(ref server.State.Stats.For(name).BytesSent),
            BytesOnDisk = videos.Videos.Sum(v => new FileInfo(v).Length),
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>One of the two processes: the engine's defaults, its waits for the other process kept from its verbose log.</summary>
    [ChildVerb(ChildVerb)]
    public static Task<int> RunChildAsync(string[] args) =>
        Task.FromResult(ChildBatch.Run(args, keep: line => line.Contains(WaitedForCreate, StringComparison.Ordinal) || line.Contains(WaitedForDownload, StringComparison.Ordinal)));
}

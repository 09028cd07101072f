using System.Diagnostics;
using System.Globalization;
using Hailuo.Emulator;
using Hailuo.Emulator.Core;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>What a batch was doing when it was killed.</summary>
public enum CrashPhase
{
    /// <summary>A create was on its way: the ledger had an intent whose answer was not recorded.</summary>
    Submit,
    /// <summary>Jobs were being waited for: the ledger had submitted jobs not yet final.</summary>
    Wait,
    /// <summary>A video was being downloaded: its temp file was on disk.</summary>
    Download,
}

/// <summary>The crash test's size, clock and kill plan.</summary>
public sealed record CrashSettings(int Rows, IReadOnlyList<CrashPhase> Plan, double TimeScale, int Concurrency, long VideoBytes,
    HailuoProvider Provider = HailuoProvider.Replicate, int Seed = 7)
{
    /// <summary>
    /// Creates answer late, so that kills catch them in flight: half are made and then held back (the job exists, its
    /// answer never comes), half are held back before they are made (no job comes of them).
    /// </summary>
    public const string Faults = "create:hold=0.5:150,create:slow=0.5:150";

    /// <summary>
    /// The batch's -ThrottleLimit: twice what the provider runs at once, so rows are submitted in waves as jobs finish and
    /// a kill aimed at the submit phase still finds rows to submit after one aimed at the wait (the providers' defaults,
    /// Replicate's 900, would submit every row at once).
    /// </summary>
    public int ThrottleLimit => Concurrency * 2;

    /// <summary>
    /// How long the harness waits before running the batch again while a run left rows undecided: more than the second a
    /// create of a stopped process takes to settle at the emulator (<see cref="EmulatorConnection"/>). The child keeps the
    /// engine's default <see cref="HailuoClientOptions.CreateSettleTime"/>.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
}

/// <summary>One kill: what it aimed at, what it caught, and what the batch had done in that run.</summary>
public sealed record KillRecord(int Number, CrashPhase Target, IReadOnlyList<CrashPhase> Hit, double AfterSeconds, string State)
{
    /// <summary>Ledger keys of the creates that were in flight, to follow how each one was settled.</summary>
    public IReadOnlyList<string> OpenCreates { get; init; } = [];
}

/// <summary>What the crash test measured.</summary>
public sealed class CrashResult : BatchAudit
{
    public required CrashSettings Settings { get; init; }

    public required IReadOnlyList<KillRecord> Kills { get; init; }

    /// <summary>The runs that were not killed, in order: the last one ends the batch.</summary>
    public required IReadOnlyList<BatchReport> FinalRuns { get; init; }

    /// <summary>Creates left unanswered by a kill, by how a later run settled them.</summary>
    public int OpenCreates { get; init; }

    public int FoundAtProvider { get; init; }

    public int NeverArrived { get; init; }

    public int StillOpen { get; init; }

    /// <summary>Rows a run reported as needing a decision before a later run settled them.</summary>
    public int ReportedUndecided { get; init; }

    /// <summary>Rows the last run left for the user to decide: a provider that cannot list jobs leaves them so.</summary>
    public IReadOnlyList<FailedRow> NeedsDecision { get; init; } = [];

    /// <summary>What happened at each kill and run, a line each.</summary>
    public IReadOnlyList<string> Log { get; init; } = [];

    public IEnumerable<CrashPhase> PhasesHit => Kills.SelectMany(k => k.Hit).Distinct().Order();

    public double Seconds { get; init; }
}

/// <summary>
/// Part 2 of issue 6: the batch runs in a child process (the same pipeline the cmdlets run) against the emulator in
/// this one, is killed with SIGKILL at chosen moments of each phase, and is run again with the same command each
/// time; the last run finishes it. Kill points are chosen by watching the ledger and the output folder.
/// </summary>
public static class CrashScenario
{
    public const string ChildVerb = "--crash-batch";

    /// <summary>How long a kill aimed at waiting looks for a moment of waiting alone before it takes any moment of waiting.</summary>
    private static readonly TimeSpan NoQuietMoment = TimeSpan.FromMilliseconds(300);

    public static async Task<CrashResult> RunAsync(CrashSettings settings, string folder, CancellationToken cancellationToken, Action<string>? onLog = null)
    {
        var clock = Stopwatch.StartNew();
        var lines = new List<string>();
        void Note(string line)
        {
            lines.Add(line);
            onLog?.Invoke(line);
        }

        await using var server = await Lab.StartEmulatorAsync(settings.TimeScale, o =>
        {
            o.Seed = settings.Seed;
            o.Faults = CrashSettings.Faults;
            o.VideoBytes = settings.VideoBytes;
            o.Concurrency[CmdletPipeline.EmulatorName(settings.Provider)] = settings.Concurrency;
        });
        var paths = new Paths(folder);
        Csv.Write(paths.Csv, ["prompt", "row", "scene"], Enumerable.Range(1, settings.Rows)
            .Select(i => (IReadOnlyList<string>)[$"crash row {i}: a lighthouse in a storm, waves crashing", i.ToString(CultureInfo.InvariantCulture), "harbour"]));

        var polls = server.State.Stats.For(CmdletPipeline.EmulatorName(settings.Provider));
        var random = new Random(settings.Seed);
        var kills = new List<KillRecord>();
        using (var watch = new JobLedger(paths.Ledger))
        {
            foreach (var target in settings.Plan)
            {
                var kill = await KillDuringAsync(server, settings.Provider, settings.ThrottleLimit, polls, paths, watch, settings.Rows, target, kills.Count + 1, random, cancellationToken);
                if (kill is null)
                {
                    throw new InvalidOperationException($"Run {kills.Count + 1} finished before it could be killed during {target}; the plan needs more rows or a slower clock. " +
                        "So far:" + Environment.NewLine + string.Join(Environment.NewLine, lines));
                }
                kills.Add(kill);
                Note($"   kill {kill.Number} ({target}) after {kill.AfterSeconds:0.00} s: hit {string.Join("+", kill.Hit)}; {kill.State}");
            }
        }

        // The same command once more, to the end; again while that settles rows it reported as too recent to decide.
        var finals = new List<BatchReport>();
        for (var before = int.MaxValue; finals.Count < 3;)
        {
            var report = await RunToEndAsync(server, settings.Provider, settings.ThrottleLimit, paths, cancellationToken);
            finals.Add(report);
            var open = Undecided(report).Count;
            Note($"   run to the end: {report.Saved.Count} saved, {report.Errors.Count} errors, {open} undecided, {report.Seconds:0.0} s");
            if (open == 0 || open >= before)
            {
                break;
            }
            before = open;
            await Task.Delay(CrashSettings.Settle, cancellationToken);
        }

        var provider = ProviderTally.Of(server, settings.Provider);
        var ledger = LedgerAudit.Of(paths.Ledger, provider, final: true);
        var (found, never, still) = Settled(paths.Ledger, kills.SelectMany(k => k.OpenCreates).Distinct());
        return new CrashResult
        {
            Settings = settings,
            Kills = kills,
            FinalRuns = finals,
            Rows = finals[^1].Account(settings.Rows),
            Folder = FolderAudit.Of(paths.Videos),
            Ledger = ledger,
            Provider = provider,
            OpenCreates = found + never + still,
            FoundAtProvider = found,
            NeverArrived = never,
            StillOpen = still,
            ReportedUndecided = finals.SkipLast(1).SelectMany(Undecided).Select(e => e.Row).Distinct()
                .Except(Undecided(finals[^1]).Select(e => e.Row)).Count(),
            NeedsDecision = Undecided(finals[^1]),
            Seconds = clock.Elapsed.TotalSeconds,
            Log = lines,
        };
    }

    /// <summary>The rows a run reported as "outcome unknown": left for the user to decide.</summary>
    private static List<FailedRow> Undecided(BatchReport report) =>
        report.Errors.Where(e => e.Kind == nameof(HailuoErrorKind.OutcomeUnknown)).ToList();

    /// <summary>The batch as a separate process: what New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo runs, printing its report.</summary>
    [ChildVerb(ChildVerb)]
    public static Task<int> RunChildAsync(string[] args) => Task.FromResult(ChildBatch.Run(args));

    /// <summary>Starts the batch and kills it once <paramref name="target"/> is under way; null when the run ended first.</summary>
    private static async Task<KillRecord?> KillDuringAsync(EmulatorServer server, HailuoProvider provider, int throttleLimit, ProviderStats stats, Paths paths, JobLedger watch,
        int rows, CrashPhase target, int number, Random random, CancellationToken cancellationToken)
    {
        var before = Observe(watch, paths);
        // A random point inside the phase: so many more jobs submitted or videos saved first, or a little later into the wait.
        var extraSubmitted = random.Next(0, Math.Max(1, (rows - before.Submitted) / 3));
        var extraSaved = random.Next(0, 4);
        var waitDelay = TimeSpan.FromMilliseconds(random.Next(0, 150));
        var polls = Interlocked.Read(ref stats.StatusPolls);
        var (fileName, arguments) = ChildBatch.Command(ChildVerb, server, paths.Folder, provider, throttleLimit);
        using var child = Lab.StartProcess(fileName, arguments);
        _ = child.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = child.StandardError.ReadToEndAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        DateTime? waitSince = null;
        try
        {
            while (!child.HasExited)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Only what this run started counts: the last kill's unanswered creates and temp files are still there until it settles them.
                var now = Observe(watch, paths).Since(before);
                // Jobs in the ledger are waited for only once this run polls them: until then it is still starting.
                var polling = Interlocked.Read(ref stats.StatusPolls) > polls;
                var waiting = polling && now.Waiting > 0;
                var due = target switch
                {
                    CrashPhase.Submit => now.OpenCreates.Count > 0 && now.Submitted >= before.Submitted + extraSubmitted,
                    CrashPhase.Download => now.Partials.Values.Any(length => length > 0) && now.Saved >= before.Saved + extraSaved,
                    _ => waiting,
                };
                if (target == CrashPhase.Wait && due)
                {
                    // A moment of waiting alone (no create or download under way) is the aim; while creates and downloads go on
                    // all the time, as on a slow machine where jobs finish faster than the batch runs, any moment of waiting will do.
                    waitSince ??= DateTime.UtcNow;
                    var quiet = now.OpenCreates.Count == 0 && now.Partials.Count == 0;
                    due = DateTime.UtcNow - waitSince >= waitDelay + (quiet ? TimeSpan.Zero : NoQuietMoment);
                }
                if (due)
                {
                    child.Kill();
                    await child.WaitForExitAsync(cancellationToken);
                    // What the kill left behind: the ledger and the folder can no longer change.
                    var left = Observe(watch, paths).Since(before);
                    var hit = new List<CrashPhase>();
                    if (left.OpenCreates.Count > 0)
                    {
                        hit.Add(CrashPhase.Submit);
                    }
                    if (polling && left.Waiting > 0)
                    {
                        hit.Add(CrashPhase.Wait);
                    }
                    if (left.Partials.Count > 0)
                    {
                        hit.Add(CrashPhase.Download);
                    }
                    return new KillRecord(number, target, hit, clock.Elapsed.TotalSeconds, left.Describe()) { OpenCreates = left.OpenCreates };
                }
                await Task.Delay(target == CrashPhase.Download ? 1 : 3, cancellationToken);
            }
            return null;
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    private static async Task<BatchReport> RunToEndAsync(EmulatorServer server, HailuoProvider provider, int throttleLimit, Paths paths, CancellationToken cancellationToken)
    {
        var (fileName, arguments) = ChildBatch.Command(ChildVerb, server, paths.Folder, provider, throttleLimit);
        var (exit, output, error, _) = await Lab.RunProcessAsync(fileName, arguments, cancellationToken);
        return ChildBatch.ReadReport(exit, output, error);
    }

    /// <summary>How each create a kill left unanswered was settled, read from the ledger at the end.</summary>
    private static (int Found, int NeverArrived, int StillOpen) Settled(string ledgerPath, IEnumerable<string> keys)
    {
        using var ledger = new JobLedger(ledgerPath);
        var entries = ledger.List(LedgerQuery.All).ToDictionary(e => e.Key, StringComparer.Ordinal);
        int found = 0, never = 0, open = 0;
        foreach (var key in keys)
        {
            switch (entries.GetValueOrDefault(key))
            {
                case { State: LedgerState.Submitted }:
                    found++;
                    break;
                case { State: LedgerState.Rejected, Error.Kind: HailuoErrorKind.NotFound }:
                    never++;
                    break;
                default:
                    open++;
                    break;
            }
        }
        return (found, never, open);
    }

    private static Snapshot Observe(JobLedger ledger, Paths paths)
    {
        var entries = ledger.List(LedgerQuery.All);
        var partials = Directory.Exists(paths.Videos)
            ? Directory.GetFiles(paths.Videos, ".*.partial").ToDictionary(p => Path.GetFileName(p), p => Length(p), StringComparer.Ordinal)
            : [];
        return new Snapshot(
            entries.Count(e => e.State == LedgerState.Submitted),
            entries.Where(e => e.State == LedgerState.Submitting).Select(e => e.Key).ToList(),
            entries.Count(e => e.State == LedgerState.Submitted && !(e.Status?.IsFinal() ?? false)),
            entries.Count(e => e.VideoPath is not null),
            partials);
    }

    private static long Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private sealed record Snapshot(int Submitted, List<string> OpenCreates, int Waiting, int Saved, Dictionary<string, long> Partials)
    {
        /// <summary>The same, without the unanswered creates and temp files that were there before this run.</summary>
        public Snapshot Since(Snapshot before) => this with
        {
            OpenCreates = OpenCreates.Except(before.OpenCreates).ToList(),
            Partials = Partials.Where(p => !before.Partials.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };

        public string Describe() =>
            $"{OpenCreates.Count} creates unanswered, {Waiting} jobs being waited for, " +
            (Partials.Count == 0 ? "no download under way" : $"{Partials.Count} downloads under way ({string.Join(", ", Partials.Values.Select(b => $"{b / 1048576.0:0.00} MB"))} on disk)") +
            $"; {Submitted} jobs and {Saved} videos in the ledger";
    }

    private sealed class Paths(string folder)
    {
        public string Folder { get; } = folder;

        public string Csv => ChildBatch.CsvPath(Folder);

        public string Ledger => ChildBatch.LedgerPath(Folder);

        public string Videos => ChildBatch.VideosPath(Folder);
    }
}

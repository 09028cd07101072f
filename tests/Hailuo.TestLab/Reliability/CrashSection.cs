using Hailuo.Connection;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>docs/reliability.md, section 2: the batch killed with SIGKILL in each phase and run again each time.</summary>
public sealed class CrashSection : IBenchmark
{
    public string Id => "crash";

    public string Title => "2. Crash and resume: the batch killed with SIGKILL, and run again";

    // Kills aimed at the submit phase come while rows are still being submitted: the last waves are only waited for and saved.
    public static CrashSettings Long { get; } = new(400,
        [CrashPhase.Submit, CrashPhase.Wait, CrashPhase.Submit, CrashPhase.Download, CrashPhase.Submit, CrashPhase.Wait,
            CrashPhase.Download, CrashPhase.Wait, CrashPhase.Download, CrashPhase.Download],
        TimeScale: 0.01, Concurrency: 25, VideoBytes: 4L << 20);

    public static CrashSettings Short { get; } = new(60,
        [CrashPhase.Submit, CrashPhase.Submit, CrashPhase.Wait, CrashPhase.Download, CrashPhase.Download],
        TimeScale: 0.004, Concurrency: 20, VideoBytes: 4L << 20);

    /// <summary>The same where no call lists jobs (core.today, MiniMax, Cloudflare): what kills during submit leave for the user there.</summary>
    /// <remarks>100 rows: where creates go several at a time (Cloudflare), the first kills leave too few rows for the last to catch otherwise.</remarks>
    public static CrashSettings WithoutLookup(HailuoProvider provider) => new(100, [CrashPhase.Submit, CrashPhase.Download, CrashPhase.Submit],
        TimeScale: 0.004, Concurrency: 10, VideoBytes: 4L << 20, Provider: provider);

    public static CrashSettings WithoutLookupShort { get; } = new(30, [CrashPhase.Submit, CrashPhase.Download],
        TimeScale: 0.004, Concurrency: 10, VideoBytes: 4L << 20, Provider: HailuoProvider.CoreToday);

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var settings = context.Quick ? Short : Long;
        context.Log($"   {HailuoConnection.NameOf(settings.Provider)}: {settings.Rows} rows, {settings.Plan.Count} kills, time scale {settings.TimeScale}");
        var result = await CrashScenario.RunAsync(settings, Lab.Folder(context, "crash"), cancellationToken, context.Log);
        IReadOnlyList<CrashSettings> others = context.Quick ? [WithoutLookupShort]
            : [.. new[] { HailuoProvider.CoreToday, HailuoProvider.MiniMax, HailuoProvider.Cloudflare }.Select(WithoutLookup)];
        var without = new List<CrashResult>();
        foreach (var other in others)
        {
            context.Log($"   {HailuoConnection.NameOf(other.Provider)}: {other.Rows} rows, {other.Plan.Count} kills, time scale {other.TimeScale}");
            without.Add(await CrashScenario.RunAsync(other, Lab.Folder(context, "crash-" + other.Provider.ToString().ToLowerInvariant()), cancellationToken, context.Log));
        }
        var section = new Section(Id, Title);
        foreach (var figure in Figures(result).Concat(without.Select(WithoutLookupFigure)).Append(StrandedFigure([result, .. without])))
        {
            section.Add(figure);
        }
        foreach (var kill in result.Kills)
        {
            section.Note($"Kill {kill.Number}, aimed at {kill.Target}, {kill.AfterSeconds:0.00} s into its run: hit {Hits(kill)}. Left behind: {kill.State}.");
        }
        foreach (var w in without)
        {
            section.Note($"Without a lookup ({HailuoConnection.NameOf(w.Settings.Provider)}, {w.Settings.Rows} rows, kills: " +
                string.Join("; ", w.Kills.Select(k => $"{k.Number}. {Hits(k)}, {k.OpenCreates.Count} create(s) left unanswered")) + $"; {w.Seconds:0} s real).");
        }
        section.Note("Where no call lists jobs, the rows whose creates the kills left unanswered are reported by every later run, never sent again; " +
            "each one's job, when the provider made it, is paid and waits for the user (Get-HailuoJob -Id from the dashboard, then Save-HailuoVideo), " +
            "and one that never arrived waits for -Force.");
        section.Note(ProviderTable([result, .. without]));
        section.Note($"Settings: {settings.Rows} CSV rows, Replicate, {settings.Concurrency} jobs at a time at the provider and -ThrottleLimit {settings.ThrottleLimit} (so rows are submitted in waves), {settings.VideoBytes >> 20} MB videos, " +
            $"time scale {settings.TimeScale}, creates answered late (`{CrashSettings.Faults}`) so that kills catch them in flight; {result.Seconds:0} s real. " +
            $"The batch is `{CrashScenario.ChildVerb}`, a child process running the cmdlets' pipeline with a ledger; the emulator lives in the parent, " +
            "which chooses each kill point by watching the ledger (an intent without its answer; jobs not final) and the output folder (a download's temp file), " +
            "kills with Process.Kill (SIGKILL), records what was left, and starts the same command again.");
        section.Note("A create whose answer was never recorded is looked up at the provider (Replicate lists the account's predictions since a time, " +
            "with their inputs): the job it made is used, and never paid for again. When none exists, the create provably never arrived once no create " +
            "can still be on its way. The ledger names the process that wrote each intent: once that process is gone (here, killed), the next run gives " +
            "the provider `StoppedSenderSettleTime` to list what it received (30 s by default; 1 s against the emulator, which lists a create the moment " +
            "it has it) and then decides, so the row is settled on that run. While the sending process still runs, other processes wait for it " +
            "(section 7); an intent whose sender the ledger does not name waits for `CreateSettleTime` (15 minutes), which no create's retries outlast " +
            "(they stop at two thirds of it). The child keeps the engine's defaults.");
        return section;
    }

    /// <summary>
    /// The requirement on a provider that cannot list jobs: each row whose create a kill left unanswered is accounted for
    /// as needing the user's decision (reported, with -Force as the way on), and every other row is saved.
    /// </summary>
    public static Figure WithoutLookupFigure(CrashResult r)
    {
        var s = r.Settings;
        var decide = r.NeedsDecision.Count;
        var advised = r.NeedsDecision.All(e => e.Action == nameof(HailuoRemedy.CheckDashboardOrForce));
        return Requirement.Of(
            $"{HailuoConnection.NameOf(s.Provider)} (no call lists jobs): {r.Kills.Count} kills ({string.Join(", ", r.Kills.Select(Hits))}), then the same command again",
            $"{s.Rows} rows: {r.Rows.Saved.Count} saved + {decide} reported for the user's decision (outcome unknown, each advising -Force) = " +
            $"{r.Rows.Saved.Count + decide}; of {r.OpenCreates} creates left unanswered, {r.StillOpen} still open; {r.Provider.DuplicateCreates} duplicate creates; " +
            $"ledger: {r.Ledger.Undecided.Count} entries undecided, {r.Ledger.PaidBehindUndecided} of them paid at the provider, {r.Ledger.Problems.Count} problems; " +
            $"folder: {r.Folder.Describe()}",
            $"{s.Rows} rows", "", "every row saved or left for a decision (accounted for), none sent twice",
            r.OpenCreates > 0 && decide == r.OpenCreates && r.StillOpen == r.OpenCreates && advised
                && r.Rows.Saved.Count + decide == s.Rows && r.Rows.Unaccounted.Count == 0
                && r.Provider.NonePaidTwice && r.Ledger.Problems.Count == 0 && r.Ledger.Undecided.Count == decide
                && r.Folder.Clean && r.Folder.Videos.Count == r.Rows.Saved.Count,
            string.Join("; ", r.Ledger.Problems.Take(3).Append(r.Folder.Describe())));
    }

    /// <summary>The most creates one kill left unanswered, by provider: at most one where creates go one at a time.</summary>
    public static Figure StrandedFigure(IReadOnlyList<CrashResult> results) => Requirement.Of(
        "Most creates a single kill left unanswered, by provider",
        string.Join("; ", results.Select(r => $"{HailuoConnection.NameOf(r.Settings.Provider)} {r.Kills.Max(k => k.OpenCreates.Count)} " +
            $"(over {r.Kills.Count} kills, {r.OpenCreates} in all{(ProviderFacts.SendsCreatesOneAtATime(r.Settings.Provider) ? ", creates one at a time" : "")})")),
        "1 where creates go one at a time", "", "≤ 1 where the provider cannot be asked for a lost create and creates go one at a time; reported elsewhere",
        results.Where(r => ProviderFacts.SendsCreatesOneAtATime(r.Settings.Provider)).All(r => r.Kills.All(k => k.OpenCreates.Count <= 1)),
        string.Join("; ", results.Where(r => ProviderFacts.SendsCreatesOneAtATime(r.Settings.Provider)).SelectMany(r => r.Kills.Where(k => k.OpenCreates.Count > 1)
            .Select(k => $"{HailuoConnection.NameOf(r.Settings.Provider)} kill {k.Number}: {k.OpenCreates.Count}"))));

    /// <summary>Why Cloudflare's creates are not sent one at a time (ProviderProfile.SendsCreatesOneAtATime).</summary>
    private const string CloudflareNote =
        "Cloudflare Workers AI's documented run holds each create until its video is ready, so a create under way is a video " +
        "being generated: sending them one at a time would make a batch one video at a time. A kill strands the runs under " +
        "way, and each is reported. A run that answered is safe: the ledger keeps the video link its answer gives (no later call " +
        "gives it again), so a kill before the save loses no video and the next run saves it. With its Batch API " +
        "(`HailuoClientOptions.CloudflareBatch`) creates answer at once and go one at a time.";

    /// <summary>What each provider allows when a kill strands creates, as the runs above measured it.</summary>
    private static string ProviderTable(IReadOnlyList<CrashResult> results)
    {
        var lines = new List<string>
        {
            "What each provider allows (measured in the runs above; the facts are the adapters' in `src/Hailuo/Providers`):",
            "",
            "| provider | lists its jobs | creates sent | most creates one kill stranded (measured) | how a stranded create is settled |",
            "|---|---|---|---|---|",
        };
        foreach (var r in results)
        {
            var p = r.Settings.Provider;
            var lists = ProviderFacts.ListsJobs(p);
            var oneAtATime = ProviderFacts.SendsCreatesOneAtATime(p);
            lines.Add($"| {HailuoConnection.NameOf(p)} | {(lists ? "yes" : "no")} | {(oneAtATime ? "one at a time" : "several at a time (up to `MaxJobsInFlight`)")} | " +
                $"{r.Kills.Max(k => k.OpenCreates.Count)} over {r.Kills.Count} kills | " +
                (lists
                    ? $"the next run looks it up: {r.FoundAtProvider} found and used, {r.NeverArrived} never arrived and sent once, {r.StillOpen} left open"
                    : $"reported to the user by every later run (outcome unknown: check the dashboard, or -Force); {r.StillOpen} left so, " +
                      $"{r.Ledger.PaidBehindUndecided} of them paid") + " |");
        }
        lines.Add("");
        lines.Add(CloudflareNote);
        return string.Join(Environment.NewLine, lines);
    }

    private static string Hits(KillRecord kill) => kill.Hit.Count == 0 ? "nothing in flight" : string.Join(" + ", kill.Hit);

    public static IEnumerable<Figure> Figures(CrashResult r)
    {
        var s = r.Settings;
        var missedTargets = r.Kills.Where(k => !k.Hit.Contains(k.Target)).Select(k => k.Number).ToList();
        var unhit = Enum.GetValues<CrashPhase>().Except(r.PhasesHit).ToList();
        yield return Requirement.Of(
            "Kills (SIGKILL) and the phase each one hit",
            $"{r.Kills.Count} kills: " + string.Join("; ", r.Kills.Select(k => $"{k.Number}. {Hits(k)}")),
            "at least 5, during submit, wait and download", $"{r.Kills.Count / 5.0:0.0}", "≥ 5 kills, each phase hit, each kill in the phase it aimed at",
            r.Kills.Count >= 5 && unhit.Count == 0 && missedTargets.Count == 0,
            $"phases never hit: {string.Join(", ", unhit)}; kills that missed their phase: {string.Join(", ", missedTargets)}");
        yield return r.Provider.DuplicatesFigure($"over {r.Kills.Count + r.FinalRuns.Count} runs");
        yield return Requirement.Of(
            "Every video on disk after the last run",
            $"{r.Rows.Saved.Count} of {s.Rows} rows saved ({r.Rows.Failed.Count} failed: {r.Rows.FailuresByKind()}); folder: {r.Folder.Describe()}",
            $"{s.Rows}", $"{r.Rows.Saved.Count / (double)s.Rows:P0}", "every row saved, one whole MP4 each, no temp file left",
            r.Rows.Saved.Count == s.Rows && r.Folder.Clean && r.Folder.Videos.Count == s.Rows,
            $"{s.Rows - r.Rows.Saved.Count} rows not saved; {r.Folder.Describe()}");
        yield return r.Ledger.ConsistencyFigure("The ledger stays readable and consistent");
        yield return Requirement.Of(
            "Creates left unanswered by the kills, and how later runs settled them",
            $"{r.OpenCreates}: {r.FoundAtProvider} found at the provider and used (not paid again), {r.NeverArrived} shown never to have arrived and sent again, " +
            $"{r.StillOpen} still needing a decision; {r.ReportedUndecided} rows reported as needing a decision by a run before a later one settled them; " +
            $"{r.Provider.Lists} listing calls",
            "", "", "each settled by the next run (none reported to the user, none lost, none paid twice)",
            r.OpenCreates > 0 && r.StillOpen == 0 && r.ReportedUndecided == 0 && r.FinalRuns.Count == 1,
            $"{r.StillOpen} still open, {r.ReportedUndecided} reported before a later run settled them, {r.FinalRuns.Count} runs to the end");
    }
}

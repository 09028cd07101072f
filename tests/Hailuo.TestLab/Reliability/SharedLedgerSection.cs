using Hailuo.Connection;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>docs/reliability.md, the two-process section: one CSV run twice at once on one ledger, on core.today and Replicate.</summary>
public sealed class SharedLedgerSection : IBenchmark
{
    public string Id => "processes";

    public string Title => "7. Two processes, one ledger: the same CSV run twice at once";

    /// <summary>
    /// Both providers, the two processes started together and a second apart; the smoke pass (and the xunit test) runs two
    /// of the four: core.today together, Replicate a second apart.
    /// </summary>
    public static IReadOnlyList<SharedLedgerSettings> Plan(bool quick) => quick
        ? [new(HailuoProvider.CoreToday, 6, TimeSpan.Zero), new(HailuoProvider.Replicate, 6, TimeSpan.FromSeconds(1))]
        :
        [
            .. from provider in new[] { HailuoProvider.CoreToday, HailuoProvider.Replicate }
               from gap in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(1) }
               select new SharedLedgerSettings(provider, 24, gap),
        ];

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<SharedLedgerResult>();
        foreach (var settings in Plan(context.Quick))
        {
            var result = await SharedLedgerScenario.RunAsync(settings, Lab.Folder(context, "processes"), cancellationToken);
            context.Log($"   {settings.Describe()}: {result.Seconds:0.0} s, {result.Provider.Creates} creates, {result.Messages.Count()} messages, " +
                $"redundant {result.RedundantShare:P1}");
            results.Add(result);
        }
        var section = new Section(Id, Title);
        foreach (var figure in Figures(results))
        {
            section.Add(figure);
        }
        foreach (var r in results)
        {
            var messages = r.Messages.ToList();
            section.Note($"{r.Settings.Describe()} ({r.Settings.Rows} rows, {r.Seconds:0.0} s real): " +
                string.Join("; ", r.Waits.Select((w, i) => $"process {i + 1} waited for the other's create {w.Creates} time(s) and its download {w.Downloads} time(s)")) +
                $"; the emulator had {r.Provider.CreateRequests} create requests and served {r.Provider.Downloads} downloads. " +
                (messages.Count == 0 ? "Errors and warnings written: none." : "Errors and warnings written: " + string.Join(" | ", messages) + "."));
        }
        var s = results[0].Settings;
        section.Note($"Settings: {s.Rows} CSV rows, time scale {s.TimeScale} (a 2-minute job takes {120 * s.TimeScale:0.0} s), {s.VideoBytes >> 20} MB videos, " +
            "creates answered late (" + string.Join(", ", results.Select(r => r.Settings).DistinctBy(r => r.Provider).Select(r => $"{HailuoConnection.NameOf(r.Provider)} `{r.Faults}`")) +
            ") so that the processes meet while creates are on their way. Each process is " +
            $"`{SharedLedgerScenario.ChildVerb}`, a child running the cmdlets' pipeline (`Import-Csv rows.csv | New-HailuoVideo | Wait-HailuoJob | " +
            "Save-HailuoVideo -Path videos`) with the engine's defaults (`CreateSettleTime` 15 minutes); both name the same ledger file and the same " +
            "output folder, as two PowerShell windows with one HOME would. Redundant bytes are what the emulator served as video beyond the files on disk " +
            "(one copy of each video).");
        return section;
    }

    public static IEnumerable<Figure> Figures(IReadOnlyList<SharedLedgerResult> results)
    {
        string Each(Func<SharedLedgerResult, string> describe) => string.Join("; ", results.Select(r => $"{r.Settings.Describe()}: {describe(r)}"));
        var rows = results.Sum(r => r.Settings.Rows);
        yield return Requirement.Of(
            "Duplicate paid creates (the emulator's count of repeated inputs)",
            Each(r => $"{r.Provider.DuplicateCreates} ({r.Provider.Creates} jobs for {r.Settings.Rows} rows)"),
            "0", "", "0",
            results.All(r => r.Provider.NonePaidTwice && r.Provider.Creates == r.Settings.Rows),
            Each(r => $"{r.Provider.DuplicateCreates} repeated, {r.Provider.Creates} jobs"));
        yield return Requirement.Of(
            "Every row saved once on disk, and reported as a file (saved or skipped) by each process",
            Each(r => $"{r.Folder.Describe()}; rows not reported once: " + string.Join(", ", r.RowsNotReportedOnce.Select((m, i) => $"process {i + 1} {m.Count}")) +
                $"; ledger: {(r.Ledger.Consistent ? "consistent" : string.Join(", ", r.Ledger.Problems.Concat(r.Ledger.Undecided).Take(3)))}"),
            $"{rows} rows in all", "", "one whole MP4 per row, each row a file in both processes' output",
            results.All(r => r.Folder.Clean && r.Folder.Videos.Count == r.Settings.Rows && r.RowsNotReportedOnce.All(m => m.Count == 0) && r.Ledger.Consistent),
            Each(r => string.Join(", ", r.RowsNotReportedOnce.Select((m, i) => $"process {i + 1}: rows {string.Join(" ", m.Take(8))}"))));
        yield return Requirement.Of(
            "Misleading messages (outcome unknown, advice to use -Force, a file 'appeared while the video was downloading')",
            Each(r => $"{r.Misleading.Count()} of {r.Messages.Count()} errors and warnings"),
            "0", "", "0, and no error or warning at all",
            results.All(r => !r.Messages.Any()),
            string.Join(" | ", results.SelectMany(r => r.Messages).Take(4)));
        yield return Requirement.Of(
            "Redundant download bytes (served beyond one copy of each video)",
            Each(r => $"{r.RedundantShare:P1} ({Lab.Mb(r.RedundantBytes)} beyond {Lab.Mb(r.BytesOnDisk)}; {r.Provider.Downloads} downloads for {r.Settings.Rows} videos)"),
            $"{SharedLedgerScenario.RedundantBound:P0}", $"{results.Max(r => r.RedundantShare) / SharedLedgerScenario.RedundantBound:0.00}",
            $"≤ {SharedLedgerScenario.RedundantBound:P0}",
            results.All(r => r.RedundantShare <= SharedLedgerScenario.RedundantBound),
            Each(r => $"{r.RedundantShare:P1}"));
        yield return new Figure(
            "Times a process waited for the other's create or download instead of repeating it",
            Each(r => string.Join(", ", r.Waits.Select((w, i) => $"process {i + 1}: {w.Creates} creates, {w.Downloads} downloads"))),
            "", "", "(reported: the processes met)", null);
    }
}

using Hailuo.Connection;
using Hailuo.Models;
using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>docs/reliability.md, the create-verdict section: "outcome unknown" only where the bytes that arrived cannot tell.</summary>
public sealed class VerdictSection : IBenchmark
{
    public string Id => "verdicts";

    public string Title => "6. Create verdicts under the heaviest fault mix: outcome unknown only where the answer cannot tell";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<VerdictResult>();
        foreach (var provider in new[] { HailuoProvider.CoreToday, HailuoProvider.Replicate })
        {
            var settings = new VerdictSettings(provider, context.Quick ? 30 : 300);
            var result = await VerdictScenario.RunAsync(settings, Lab.Folder(context, "verdicts"), cancellationToken);
            context.Log($"   {HailuoConnection.NameOf(provider)}: {result.Unknown.Count} of {settings.Rows} unknown ({result.Unknown.Count(u => u.Paid)} paid), " +
                $"{result.Seconds:0.0} s");
            results.Add(result);
        }
        var section = new Section(Id, Title);
        foreach (var figure in Figures(results))
        {
            section.Add(figure);
        }
        foreach (var r in results)
        {
            var faults = r.Provider.FaultsByKind.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value}");
            section.Note($"{HailuoConnection.NameOf(r.Settings.Provider)}: {r.Provider.CreateRequests:N0} create requests for {r.Settings.Rows} rows; faults injected " +
                $"(creates, status reads and downloads): {string.Join(", ", faults)}; {r.GatewayRows} rows met a gateway 500, 502 or 504; {r.Seconds:0} s real. " +
                "Rows left unknown: " + (r.Unknown.Count == 0 ? "none" : string.Join("; ", r.Unknown.Select(u => $"{u.Row} {u.Cause}{(u.Paid ? " (paid)" : "")}"))) + ".");
        }
        section.Note($"Settings: {results[0].Settings.Rows} CSV rows on each provider through `New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo` (the cmdlets' " +
            $"command logic), time scale {results[0].Settings.TimeScale}, emulator seed {results[0].Settings.Seed}, the client's attempt timeout " +
            $"{VerdictSettings.AttemptTimeout.TotalSeconds:0} s (held answers outlast it), faults `{VerdictSettings.Faults}`, and a gateway answering the first create " +
            $"of {VerdictSettings.GatewayShare:P0} of the rows (every third of the first ones) with a 500, 502 or 504 (an HTML page), about half of them after the job was made " +
            "(the emulator's hostile answers, aimed by prompt: while one is left, the emulator reads each create's body before its own faults, so that a reset " +
            "then comes after the request was sent, and counts as a dropped connection).");
        section.Note("How a row's cause is taken: from the engine's message, which says what arrived (the connection broke after the request was sent; " +
            "no answer within the attempt timeout; HTTP 500, 502 or 504; a 2xx answer damaged and naming no job), checked against the provider: an answer " +
            "the message calls an accepted create that made no job was a decline, and counts as provably decided, as does a message naming a 408, 429, " +
            "503 or other 4xx. Paid: the emulator made a job with the row's input. Where the provider lists its jobs (Replicate), the same command is run " +
            "again for the rows left unknown, as their error says, and each is settled from the list.");
        return section;
    }

    public static IEnumerable<Figure> Figures(IReadOnlyList<VerdictResult> results)
    {
        string Each(Func<VerdictResult, string> describe) => string.Join("; ", results.Select(r => $"{HailuoConnection.NameOf(r.Settings.Provider)}: {describe(r)}"));
        string Count(VerdictResult r, UnknownCause cause) => $"{r.Of(cause).Count()} ({r.Of(cause).Count(u => u.Paid)} paid)";
        static int Wrong(VerdictResult r) => r.Of(UnknownCause.ProvablyDecided).Count() + r.Of(UnknownCause.Unexplained).Count();
        yield return Requirement.Of(
            "Rows left 'outcome unknown' although the answer's status line proved the outcome",
            Each(r => $"{Wrong(r)} of {r.Settings.Rows} ({r.Of(UnknownCause.ProvablyDecided).Count()} decided by their answer, {r.Of(UnknownCause.Unexplained).Count()} unexplained)"),
            "0", "", "0",
            results.All(r => Wrong(r) == 0),
            string.Join(" | ", results.SelectMany(r => r.Unknown).Where(u => u.Cause is UnknownCause.ProvablyDecided or UnknownCause.Unexplained)
                .Take(3).Select(u => $"row {u.Row}: {u.Message}")));
        yield return new Figure(
            "Rows left 'outcome unknown' by the run, by what the bytes could not tell",
            Each(r => $"{r.Unknown.Count} of {r.Settings.Rows}, {r.Unknown.Count(u => u.Paid)} of them paid: connection dropped after the request was sent " +
                $"{Count(r, UnknownCause.DroppedAfterSend)}, no answer within the attempt timeout {Count(r, UnknownCause.TimeoutAfterSend)}, " +
                $"HTTP 500/502/504 {Count(r, UnknownCause.GatewayError)}, a 2xx garbled or cut short naming no job {Count(r, UnknownCause.Garbled2xx)}"),
            "", "", "(reported: each one a case the bytes cannot decide)", null);
        foreach (var r in results.Where(r => r.UnknownAfterRerun is not null))
        {
            yield return Requirement.Of(
                $"{HailuoConnection.NameOf(r.Settings.Provider)} lists its jobs: rows still unknown after the same command again",
                $"{r.UnknownAfterRerun!.Count} of {r.Unknown.Count} after {r.Reruns} more run(s): {r.FoundOnRerun} found at the provider and used, " +
                $"{r.SentOnRerun} shown never to have arrived and sent once",
                "0", "", "0: the provider's list settles every one",
                r.UnknownAfterRerun.Count == 0,
                $"rows {string.Join(", ", r.UnknownAfterRerun.Take(10))}");
        }
        yield return Requirement.Of(
            "Duplicate paid creates (the emulator's count of repeated inputs)",
            Each(r => $"{r.Provider.DuplicateCreates} ({r.Provider.Creates} jobs from {r.Provider.CreateRequests:N0} create requests)"),
            "0", "", "0",
            results.All(r => r.Provider.NonePaidTwice),
            Each(r => $"{r.Provider.DuplicateCreates}"));
        yield return Requirement.Of(
            "Every row accounted for: saved, or an error with its reason; the ledger and the folder consistent",
            Each(r => $"{r.Rows.Saved.Count} saved + {r.Rows.Failed.Count} errors ({r.Rows.FailuresByKind()}), {r.Rows.Unaccounted.Count} unaccounted; " +
                $"folder {r.Folder.Describe()}; ledger {r.Ledger.Problems.Count} problems, {r.Ledger.Undecided.Count} undecided"),
            "every row", "", "all, none both saved and failed, 0 ledger problems, every undecided entry a row reported unknown",
            results.All(r => r.Rows.Unaccounted.Count == 0 && r.Rows.SavedAndFailed.Count == 0 && r.Folder.Clean && r.Folder.Videos.Count == r.Rows.Saved.Count
                && r.Ledger.Problems.Count == 0 && r.Ledger.Undecided.Count == (r.UnknownAfterRerun?.Count ?? r.Unknown.Count)),
            Each(r => $"{r.Rows.Unaccounted.Count} unaccounted, {string.Join("; ", r.Ledger.Problems.Take(2))}"));
    }
}

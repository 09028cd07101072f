using Hailuo.TestLab;

namespace Hailuo.Reliability;

/// <summary>docs/reliability.md, section 1: the fault soak's requirements, judged from one run.</summary>
public sealed class SoakSection : IBenchmark
{
    public string Id => "soak";

    public string Title => "1. Fault soak: thousands of jobs under injected faults";

    public async Task<Section> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var settings = context.Quick ? new SoakSettings(200, 0.002) : new SoakSettings(5_000, 0.002);
        context.Log($"   {settings.Jobs:N0} jobs, time scale {settings.TimeScale}, faults {SoakSettings.Faults}");
        var result = await SoakScenario.RunAsync(settings, Lab.Folder(context, "soak"), cancellationToken);
        var section = new Section(Id, Title);
        foreach (var figure in Figures(result))
        {
            section.Add(figure);
        }
        section.Note($"Settings: {settings.Jobs:N0} rows of one CSV through `New-HailuoVideo | Wait-HailuoJob | Save-HailuoVideo` (the cmdlets' command " +
            $"logic, each command's objects handed to the next as the pipeline does), Replicate, {settings.Concurrency} jobs at a time at the provider, " +
            $"the client's default limits, time scale {settings.TimeScale} (a 2-minute job takes {120 * settings.TimeScale:0.00} s), emulator seed {settings.Seed}, " +
            $"faults `{SoakSettings.Faults}`; {result.Seconds:0} s real.");
        section.Note("How each figure is taken: rows are accounted for from what the pipeline wrote (a saved file, or an error naming the row); " +
            "paid creates and repeated inputs are the emulator's own count; every file left in the output folder is opened with Mp4Inspector; " +
            "each API retry is logged by the client's transport with its number within its call, and each saved video with the requests it took, " +
            "and the two are checked against the emulator's request counts.");
        return section;
    }

    public static IEnumerable<Figure> Figures(SoakResult r)
    {
        var jobs = r.Settings.Jobs;
        var accounted = r.Rows.Saved.Count + r.Rows.Failed.Count;
        yield return Requirement.Of(
            "Every job accounted for: downloaded, or reported failed with its reason",
            $"{r.Rows.Saved.Count:N0} downloaded + {r.Rows.Failed.Count:N0} failed ({r.Rows.FailuresByKind()}) = {accounted:N0} of {jobs:N0}; " +
            $"{r.Rows.Unaccounted.Count} unaccounted, {r.Rows.SavedAndFailed.Count} both, {r.Rows.Unattributed.Count} errors naming no row",
            $"{jobs:N0} rows", $"{accounted / (double)jobs:P1}", "all, each failure with its reason",
            r.EveryRowAccountedFor,
            $"rows {string.Join(", ", r.Rows.Unaccounted.Concat(r.Rows.SavedAndFailed).Take(10))}");
        yield return r.Ledger.ConsistencyFigure("The ledger agrees with the provider and the disk");
        yield return r.Provider.DuplicatesFigure($"from {r.Provider.CreateRequests:N0} create requests");
        yield return Requirement.Of(
            "Corrupt or partial files left in the output folder",
            $"{r.Folder.Corrupt.Count + r.Folder.Leftovers.Count} ({r.Folder.Describe()}; {r.Rows.Saved.Count:N0} saved rows)",
            "0", "", "0, and one whole MP4 per saved row",
            r.OneWholeVideoPerSavedRow,
            r.Folder.Describe());
        var calls = r.Provider.ApiRequests - r.ApiRetries;
        var histogram = string.Join(", ", r.CallsRetried.Select((n, i) => $"{i + 1}: {n:N0}"));
        yield return Requirement.Of(
            "Retries per API request (create, status, link refresh)",
            $"max {r.MaxApiRetries}; {r.ApiRetries:N0} retries over {calls:N0} calls, {r.ApiRetries / (double)Math.Max(1, calls):0.00} a call " +
            $"(calls retried k times, k: n = {(histogram.Length == 0 ? "none" : histogram)}); {r.ApiRetryNumbers.Count:N0} retries logged",
            $"MaxRetries = {r.ApiRetryBound}", $"{r.MaxApiRetries / (double)r.ApiRetryBound:0.00}", $"≤ {r.ApiRetryBound}, every retry logged",
            r.ApiRetriesWithinBound && r.EveryApiRetryLogged,
            $"max {r.MaxApiRetries}, {r.ApiRetryNumbers.Count} logged of {r.ApiRetries}");
        yield return Requirement.Of(
            "Requests per download (retries after cuts and faults, fresh links after expiry)",
            $"max {r.MaxDownloadRequests}; {r.DownloadRequests:N0} requests for {r.DownloadRequestCounts.Count:N0} videos " +
            $"({r.DownloadRequests / (double)Math.Max(1, r.DownloadRequestCounts.Count):0.00} a video); the emulator served {r.Provider.Downloads:N0}",
            $"MaxAttempts + MaxRefreshes = {r.DownloadRequestBound}", $"{r.MaxDownloadRequests / (double)r.DownloadRequestBound:0.00}",
            $"≤ {r.DownloadRequestBound}, and the client's count is the emulator's",
            r.DownloadRequestsWithinBound && r.DownloadRequestsMatchEmulator && r.EverySavedVideoCounted,
            $"max {r.MaxDownloadRequests}, client {r.DownloadRequests} vs emulator {r.Provider.Downloads}");
        yield return new Figure("Faults injected (share of the requests each kind applies to)", Injected(r), "", "", "(reported)", null);
        yield return new Figure("Rows whose create was reset after its body had left, run again as their error says",
            $"{r.RowsRunAgain:N0}", "", "", "(reported; the re-run looks each create up at Replicate)", null);
    }

    private static string Injected(SoakResult r)
    {
        var p = r.Provider;
        string Share(string kind, string label, long of, string what) =>
            $"{label} {p.FaultsByKind.GetValueOrDefault(kind):N0} ({p.FaultsByKind.GetValueOrDefault(kind) / (double)Math.Max(1, of):P1} of {of:N0} {what})";
        return string.Join("; ",
            Share("ServerError", "5xx", p.Requests, "requests"),
            Share("RateLimit", "429", p.Requests, "requests"),
            Share("Reset", "resets", p.Requests, "requests"),
            Share("Truncate", "truncated", p.Downloads, "downloads"),
            Share("Expire", "expired links", p.Downloads, "downloads"),
            Share("ContentFilter", "content filter", p.CreateRequests, "creates"));
    }
}
